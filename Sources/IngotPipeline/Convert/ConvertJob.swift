import Foundation
import IngotCore
import IngotFormats
import IngotModel
import IngotQuant

/// What a finished conversion reports.
public struct ConvertResult: Sendable {
    /// Files written (several for a split GGUF).
    public var files: [String]
    public var bytes: Int
    public var tensorCount: Int
    public var bitsPerWeight: Double
    public var seconds: Double
    /// Source bytes read per second.
    public var megabytesPerSecond: Double
}

/// Runs a conversion: `ConversionPlanner` decides, this writes. Tensor by tensor, in output order: each tensor's
/// rows are produced in slabs (float32, a few tens of MB), converted or quantized on all cores into the output
/// tensor's buffer, written, and the source pages released, so memory stays near the largest output tensor.
public enum ConvertJob {
    /// Rows of float32 produced at once (bounds the slab to about this many bytes × 4).
    static let slabElements = 8 << 20

    /// Plans and, unless `dryRun`, writes. `progress` receives updates (nil: silent).
    public static func run(_ o: ConvertOptions, progress: ConvertProgress? = nil) throws -> (ConversionPlan, ConvertResult?) {
        let start = Date()
        let input = try ConvertInput(path: o.input)
        var imatrix: ImportanceMatrix? = nil
        if let path = o.imatrix {
            imatrix = try ImportanceMatrix.load(path: path)
        }
        var plan = try ConversionPlanner.plan(o, input: input, imatrix: imatrix)
        if o.dryRun { return (plan, nil) }

        let needed = plan.outputBytes + 16 << 20   // header, padding
        if let free = AtomicOutputFile.freeSpace(forOutput: o.output), free < needed {
            throw ConvertError.notEnoughSpace(path: o.output, needed: needed, available: free)
        }
        if plan.outputFormat == .gguf {
            try Provenance.append(to: &plan.metadata, input: input, plan: plan, imatrix: imatrix)
        }
        let sink = try makeSink(plan, input: input, splitMaxSize: o.splitMaxSize)
        do {
            for t in plan.tensors {
                try sink.declare(TensorInfo(name: t.name, type: t.type, shape: t.shape))
            }
            progress?.begin(totalBytes: plan.sourceBytes, tensors: plan.tensors.count)
            var components: [WeightComponent] = []
            for t in plan.tensors {
                if case .component(let src, let layout, let index, let count) = t.origin {
                    if index == 0 { components = try weightLayout(src, layout, input: input, threads: max(1, o.threads)) }
                    let c = components[index]
                    guard c.name == t.name, c.bytes.count == t.byteCount else {
                        throw ConvertError.tensorFailed(tensor: t.name, reason: "layout produced \(c.name) with \(c.bytes.count) bytes, planned \(t.byteCount)")
                    }
                    try c.bytes.withUnsafeBytes { try sink.write(t.name, bytes: $0) }
                    if index == count - 1 { components = []; input.release(src.name) }
                    progress?.advance(tensor: t.name, bytes: t.sourceByteCount)
                    continue
                }
                try produce(t, input: input, imatrix: imatrix, threads: max(1, o.threads), sink: sink)
                for name in t.origin.sourceNames { input.release(name) }
                progress?.advance(tensor: t.name, bytes: t.sourceByteCount)
            }
            try sink.finish()
        } catch {
            sink.abandon()
            progress?.abort()
            throw error
        }
        let seconds = Date().timeIntervalSince(start)
        let files = sink.outputPaths
        let bytes = files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        progress?.finish()
        return (plan, ConvertResult(files: files, bytes: bytes, tensorCount: plan.tensors.count,
                                    bitsPerWeight: plan.bitsPerWeight, seconds: seconds,
                                    megabytesPerSecond: seconds > 0 ? Double(plan.sourceBytes) / 1e6 / seconds : 0))
    }

    static func makeSink(_ plan: ConversionPlan, input: ConvertInput, splitMaxSize: Int?) throws -> TensorSink {
        let protected = input.files
        switch plan.outputFormat {
        case .gguf:
            if let max = splitMaxSize {
                return try GGUFSplitWriter(path: plan.outputPath, metadata: plan.metadata, maxBytes: max, protectedInputs: protected)
            }
            return try GGUFWriter(path: plan.outputPath, metadata: plan.metadata, protectedInputs: protected)
        case .safetensors:
            var md: [(key: String, value: String)] = [("format", "pt"), ("ingot.version", IngotVersion.string)]
            md.append(("ingot.plan", plan.typesByPattern.joined(separator: "; ")))
            return try SafetensorsWriter(path: plan.outputPath, metadata: md, protectedInputs: protected)
        }
    }


    // MARK: - One tensor

    /// Quantizes `src` into a multi-tensor layout (all its components at once; they are written one by one).
    static func weightLayout(_ src: TensorInfo, _ layout: WeightLayout, input: ConvertInput, threads: Int) throws -> [WeightComponent] {
        var x = [Float](repeating: 0, count: src.elementCount)
        try input.source.withBytes(of: src.name) { bytes in
            let rows = try RowSource(tensor: src, bytes: bytes)
            try x.withUnsafeMutableBufferPointer { try rows.floatRows(0..<rows.rowCount, into: $0.baseAddress!) }
        }
        do {
            switch layout {
            case .nf4:
                let dtype = src.type == .bf16 ? "bfloat16" : src.type == .f16 ? "float16" : "float32"
                return try NF4Quantizer.quantize(x, shape: src.shape, options: NF4Options(dtype: dtype, threads: threads))
                    .components(prefix: src.name)
            case .int8:
                return try Int8Quantizer.quantize(x, rows: src.shape[0], columns: src.shape[1],
                                                  options: Int8Options(threads: threads)).components(weightName: src.name)
            }
        } catch {
            throw ConvertError.tensorFailed(tensor: src.name, reason: String(describing: error))
        }
    }

    /// Produces tensor `t` into one buffer and writes it. The source bytes are read inside one `withBytes`
    /// scope over all of `t`'s sources.
    static func produce(_ t: PlannedOutput, input: ConvertInput, imatrix: ImportanceMatrix?, threads: Int,
                        sink: TensorSink) throws {
        if case .component = t.origin {
            throw ConvertError.tensorFailed(tensor: t.name, reason: "a layout component outside its weight")
        }
        let names = t.origin.sourceNames
        let infos = try names.map { n in
            guard let i = input.info(n) else { throw ConvertError.sourceTensorMissing(tensor: n, path: input.path) }
            return i
        }
        let out = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, t.byteCount), alignment: 64)
        defer { out.deallocate() }
        let body = UnsafeMutableRawBufferPointer(rebasing: out[0..<t.byteCount])
        try input.source.withBytes(of: names) { bytes in
            let rows: RowSource
            switch t.origin {
            case .recipe(let r): rows = try RowSource(recipe: r, bytes: bytes, infos: infos)
            case .tensor(let info): rows = try RowSource(tensor: info, bytes: bytes[0])
            case .component: return
            }
            do {
                try fill(t, rows: rows, imatrix: imatrix, threads: threads, into: body)
            } catch let e as ConvertError {
                throw e
            } catch {
                throw ConvertError.tensorFailed(tensor: t.name, reason: String(describing: error))
            }
        }
        try sink.write(t.name, bytes: UnsafeRawBufferPointer(body))
    }

    /// Fills the output bytes of `t` from `rows`.
    static func fill(_ t: PlannedOutput, rows: RowSource, imatrix: ImportanceMatrix?, threads: Int,
                     into out: UnsafeMutableRawBufferPointer) throws {
        guard rows.rowCount > 0, rows.rowLength > 0, let dst = out.baseAddress else { return }
        let rowBytes = try t.type.byteCount(elements: rows.rowLength)
        // 1. Bytes that need no change: same type, rows only move.
        if rows.rawRow(0, type: t.type) != nil {
            Parallel.forEachChunk(rows.rowCount, threads: threads, minChunk: 256) { range in
                for r in range { memcpy(dst + r * rowBytes, rows.rawRow(r, type: t.type)!, rowBytes) }
            }
            return
        }
        // 2. MXFP4 experts passed through losslessly.
        if rows.isMXFP4 && t.type == .mxfp4 {
            Parallel.forEachChunk(rows.rowCount, threads: threads, minChunk: 64) { range in
                rows.mxfp4Rows(range, into: dst + range.lowerBound * rowBytes)
            }
            return
        }
        // 3. Float rows → target type, slab by slab, never crossing a matrix (expert) boundary so each slab
        //    has one importance row.
        let importance = try imatrix?.importance(for: TensorInfo(name: t.name, type: t.type, shape: t.shape))
        let rowsPerMatrix = t.shape.count >= 2 ? t.shape[t.shape.count - 2] : rows.rowCount
        let matrices = max(1, rows.rowCount / max(1, rowsPerMatrix))
        let slabRows = max(1, min(rows.rowCount, slabElements / rows.rowLength))
        let slab = UnsafeMutablePointer<Float>.allocate(capacity: slabRows * rows.rowLength)
        defer { slab.deallocate() }
        var r0 = 0
        while r0 < rows.rowCount {
            let matrix = r0 / max(1, rowsPerMatrix)
            let matrixEnd = min(rows.rowCount, (matrix + 1) * max(1, rowsPerMatrix))
            let r1 = min(r0 + slabRows, matrixEnd)
            let n = r1 - r0
            let firstError = FirstErrorBox()
            Parallel.forEachChunk(n, threads: threads, minChunk: max(1, 65536 / rows.rowLength)) { range in
                do {
                    try rows.floatRows((r0 + range.lowerBound)..<(r0 + range.upperBound),
                                       into: slab + range.lowerBound * rows.rowLength)
                } catch { firstError.set(error) }
            }
            if let e = firstError.error { throw e }
            let x = UnsafeBufferPointer(start: slab, count: n * rows.rowLength)
            let o = UnsafeMutableRawBufferPointer(start: dst + r0 * rowBytes, count: n * rowBytes)
            if let importance, t.type.isQuantized {
                let w: ArraySlice<Float>
                if importance.count == rows.rowLength * matrices {
                    w = importance[(matrix * rows.rowLength)..<((matrix + 1) * rows.rowLength)]
                } else {
                    w = importance[0..<min(importance.count, rows.rowLength)]
                }
                try w.withUnsafeBufferPointer { wb in
                    try Quantizer.quantize(t.type, rows: x, rowLength: rows.rowLength, importance: wb, into: o, threads: threads)
                }
            } else {
                try Quantizer.quantize(t.type, rows: x, rowLength: rows.rowLength, importance: nil, into: o, threads: threads)
            }
            r0 = r1
        }
    }
}

/// The first error thrown by parallel workers.
final class FirstErrorBox: @unchecked Sendable {
    private let lock = Mutex()
    private var stored: Error?
    func set(_ e: Error) { lock.withLock { if stored == nil { stored = e } } }
    var error: Error? { lock.withLock { stored } }
}
