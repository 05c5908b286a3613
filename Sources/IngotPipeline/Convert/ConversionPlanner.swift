import Foundation
import IngotCore
import IngotFormats
import IngotModel
import IngotQuant

/// Decides every output tensor's type and the output metadata, before any byte is written.
///
/// Hugging Face → GGUF follows llama.cpp's two steps as one: the converter (`convert_hf_to_gguf.py`: names,
/// rearrangements, F32 for norms/routers/biases, the `--outtype`), then, for quantized targets, llama-quantize
/// (`QuantPlanner`: mix rules, fallbacks, overrides; tensors re-sorted; `general.quantization_version` and
/// `general.file_type` moved to the end of the metadata). A GGUF input goes through the second step only.
/// A plain tensor file is converted tensor by tensor.
public enum ConversionPlanner {
    /// Plans `input` as `options` ask. `imatrix` is the loaded `--imatrix`, if any.
    public static func plan(_ o: ConvertOptions, input: ConvertInput, imatrix: ImportanceMatrix?) throws -> ConversionPlan {
        guard let format = o.outputFormat ?? OutputFormat(path: o.output) else {
            throw ConvertError.unknownOutputFormat(o.output)
        }
        let outCanon = canonical(o.output)
        for f in input.files + [input.path] where canonical(f) == outCanon {
            throw ConvertError.outputIsInput(o.output)
        }
        if o.splitMaxSize != nil && format != .gguf {
            throw ConvertError.badOption(option: "--split-max-size", value: String(o.splitMaxSize!),
                                         reason: "only GGUF output can be split")
        }
        var plan: ConversionPlan
        switch (input.kind, format) {
        case (.huggingFace(let config, let arch), .gguf):
            plan = try huggingFaceToGGUF(o, input: input, config: config, arch: arch, imatrix: imatrix)
        case (.gguf, .gguf):
            plan = try ggufToGGUF(o, input: input, imatrix: imatrix)
        case (.tensorFile, .gguf):
            plan = try tensorByTensor(o, input: input, format: .gguf, imatrix: imatrix)
        case (_, .safetensors):
            plan = try tensorByTensor(o, input: input, format: .safetensors, imatrix: imatrix)
        }
        plan.outputPath = o.output
        // Every planned type must have an encoder before anything is written; a dry run shows the plan first.
        plan.unproducible = EncoderCheck.unproducible(plan.tensors)
        if !o.dryRun, let e = plan.productionError { throw e }
        return plan
    }

    // MARK: - Hugging Face → GGUF

    static func huggingFaceToGGUF(_ o: ConvertOptions, input: ConvertInput, config: ModelConfig, arch: any ArchitectureDescription,
                                  imatrix: ImportanceMatrix?) throws -> ConversionPlan {
        let sources = input.converterOrder
        let recipes = try arch.recipes(config, sources: sources)
        let auto = autoType(sources)
        let target = try o.type.map { try QuantTarget(parsing: $0) } ?? .fileType(auto == .bf16 ? .bf16 : .f16)
        let floatTarget = [FileType.f32, .f16, .bf16].contains(target.fileType)
        // The converter's --outtype: the target itself for float targets, else what llama.cpp would convert to first.
        let outtype: ElementType = floatTarget ? target.fileType.defaultType : auto
        func intermediate(_ r: TensorRecipe) -> ElementType {
            r.forceF32 ? .f32 : r.producedType == .mxfp4 ? .mxfp4 : outtype
        }
        let hasMXFP4 = recipes.contains { $0.producedType == .mxfp4 }
        let convertFileType: UInt32 = hasMXFP4 && config.quantMethod == "mxfp4" && floatTarget
            ? FileType.mxfp4_moe.id : FileType.forSingleType(outtype)?.id ?? FileType.f16.id

        let params = ModelNaming.parameterCounts(recipes.map { ($0.name, $0.shape) })
        let dir = input.directory ?? input.path
        let authorship = ConverterMetadata.Authorship(
            directoryName: (dir as NSString).lastPathComponent, config: config.root,
            generationConfig: try optionalJSON(dir + "/generation_config.json"), parameters: params)
        let vocab = try vocabulary(directory: dir, config: config)
        var metadata = try ConverterMetadata.model(architecture: arch, config: config, fileType: convertFileType,
                                                   authorship: authorship, tokenizer: vocab.keys)
        var notes = vocab.notes
        var outputs: [PlannedOutput] = []
        let byName = Dictionary(recipes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

        if floatTarget {
            if !o.tensorTypes.isEmpty || o.outputTensorType != nil || o.tokenEmbeddingType != nil {
                notes.append("--tensor-type, --output-tensor-type and --token-embedding-type apply to quantized types only; ignored for \(target)")
            }
            for r in recipes {
                let t = intermediate(r)
                outputs.append(PlannedOutput(name: r.name, shape: r.shape, type: t, sourceType: r.sourceType,
                                             origin: .recipe(r), reason: r.forceF32 ? "kept F32 (converter rule)" : t == .mxfp4 ? "MXFP4 repacked losslessly" : "--type",
                                             byteCount: try t.byteCount(shape: r.shape),
                                             sourceByteCount: try sourceBytes(r, input)))
            }
        } else {
            let infos = try recipes.map { try TensorInfo(name: $0.name, type: intermediate($0), shape: $0.shape) }
            let model = PlanModel(architecture: arch.ggufName, layerCount: config.blockCount,
                                  headCount: config.headCount ?? 0, headCountKV: config.headCountKV ?? config.headCount ?? 0,
                                  expertCount: config.expertCount ?? 0)
            let q = try quantPlan(o, target: target, model: model, tensors: infos, imatrix: imatrix)
            notes += q.warnings
            for t in q.tensors {
                let r = byName[t.name]!
                outputs.append(PlannedOutput(name: t.name, shape: t.shape, type: t.targetType, sourceType: r.sourceType,
                                             origin: .recipe(r), reason: reason(t), byteCount: t.targetBytes,
                                             sourceByteCount: try sourceBytes(r, input)))
            }
            metadata = ConverterMetadata.requantized(metadata, fileType: q.fileType.id)
            if let imatrix, let path = o.imatrix {
                for (k, v) in imatrix.quantizeMetadata(file: path) { metadata.set(k, v) }
            }
        }
        // Keys llama.cpp has none for (transformers' YaRN `truncate`), in Ingot's namespace; inference reads them.
        for (key, value) in try arch.ingotMetadata(config) { metadata.set(key, value) }
        let fileTypeName = floatTarget ? (FileType(id: convertFileType)?.name ?? target.description) : target.fileType.name
        return ConversionPlan(inputDescription: "\(arch.id) (Hugging Face, \(config.hfArchitecture ?? config.modelType ?? "?"))",
                              outputPath: o.output, outputFormat: .gguf, fileTypeName: fileTypeName, tensors: outputs,
                              metadata: metadata, notes: notes, typesByPattern: ConversionPlan.patternSummary(outputs))
    }

    /// The converter's `--outtype auto`: the first ≥2-D tensor in reading order that is BF16 or F16 decides; else F16.
    static func autoType(_ sources: [TensorInfo]) -> ElementType {
        for t in sources where t.shape.count >= 2 {
            if t.type == .bf16 { return .bf16 }
            if t.type == .f16 { return .f16 }
        }
        return .f16
    }

    static func sourceBytes(_ r: TensorRecipe, _ input: ConvertInput) throws -> Int {
        if case .generated = r.transform { return r.elementCount * 4 }
        return r.sources.reduce(0) { $0 + (input.info($1)?.byteCount ?? 0) }
    }

    /// Tokenizer keys for a Hugging Face directory, and notes when there is none Ingot can convert.
    static func vocabulary(directory: String, config: ModelConfig) throws -> (keys: [(String, MetadataValue)], notes: [String]) {
        let path = directory + "/tokenizer.json"
        guard FileManager.default.fileExists(atPath: path) else {
            return ([], ["no tokenizer.json in \(directory): the GGUF has no vocabulary (llama.cpp needs one to run it)"])
        }
        let json = try JSON.parseFile(path)
        let pre = try PreTokenizerDetector.detect(json, file: path)
        if pre == "default" {
            throw IngotFailure("\(path): a SentencePiece-style (byte-fallback) tokenizer.json; Ingot converts byte-level BPE vocabularies only so far", hint: "convert the vocabulary with llama.cpp's convert_hf_to_gguf.py, or wait for SentencePiece support")
        }
        // One implementation of llama.cpp's tokenizer keys: the tokenizer's own (tested against the converter's output).
        let keys = try Tokenizer.load(huggingFace: directory).ggufMetadata(vocabSize: config.vocabSize, file: path)
        return (keys.map { ($0.key, $0.value) }, [])
    }

    // MARK: - GGUF → GGUF (llama-quantize)

    static func ggufToGGUF(_ o: ConvertOptions, input: ConvertInput, imatrix: ImportanceMatrix?) throws -> ConversionPlan {
        guard let typeText = o.type else {
            throw ConvertError.badOption(option: "--type", value: "(none)", reason: "a GGUF input needs --type (the type to requantize to)")
        }
        let target = try QuantTarget(parsing: typeText)
        let md = input.metadata
        // One reading of the planner's hyper-parameters, with llama.cpp's loader defaults (KV heads = heads).
        let model = try PlanModel(metadata: md)
        let arch = model.architecture
        let tensors = input.converterOrder
        let q = try quantPlan(o, target: target, model: model, tensors: tensors, imatrix: imatrix)
        var notes = q.warnings
        let requant = q.tensors.filter { $0.changesType && $0.sourceType.isQuantized }
        if !requant.isEmpty {
            notes.append("\(requant.count) tensor(s) are already quantized (\(Set(requant.map(\.sourceType.displayName)).sorted().joined(separator: ", "))) and will be requantized: accuracy is lost twice")
        }
        var outputs: [PlannedOutput] = []
        for t in q.tensors {
            let src = input.info(t.name)!
            outputs.append(PlannedOutput(name: t.name, shape: t.shape, type: t.targetType, sourceType: t.sourceType,
                                         origin: .tensor(src), reason: reason(t), byteCount: t.targetBytes,
                                         sourceByteCount: src.byteCount))
        }
        var metadata = ConverterMetadata.requantized(md, fileType: q.fileType.id)
        if let imatrix, let path = o.imatrix {
            for (k, v) in imatrix.quantizeMetadata(file: path) { metadata.set(k, v) }
        }
        return ConversionPlan(inputDescription: "GGUF (\(arch.isEmpty ? "no architecture" : arch))", outputPath: o.output,
                              outputFormat: .gguf, fileTypeName: q.fileType.name, tensors: outputs, metadata: metadata,
                              notes: notes, typesByPattern: ConversionPlan.patternSummary(outputs))
    }

    /// Runs llama-quantize's type selection and its pre-write checks.
    static func quantPlan(_ o: ConvertOptions, target: QuantTarget, model: PlanModel, tensors: [TensorInfo],
                          imatrix: ImportanceMatrix?) throws -> QuantPlan {
        let options = QuantOptions(
            target: target, tensorTypeOverrides: try o.tensorTypes.map { try TensorTypeOverride(parsing: $0) },
            outputTensorType: try o.outputTensorType.map { try ggmlType($0, option: "--output-tensor-type") },
            tokenEmbeddingType: try o.tokenEmbeddingType.map { try ggmlType($0, option: "--token-embedding-type") },
            pure: o.pure, leaveOutputTensor: o.leaveOutputTensor, keepRouterPrecision: o.keepRouterPrecision,
            hasImatrix: imatrix != nil)
        var q = try QuantPlanner(options: options, model: model).plan(tensors)
        if !o.dryRun { try q.validateForWriting(hasImatrix: imatrix != nil, allowRequantize: o.allowRequantize) }
        if let imatrix {
            // llama-quantize also refuses, when it reaches the tensor, a type that needs importance data whose
            // tensor has no entry ("Missing importance matrix for tensor … in a very low-bit quantization").
            // Ingot quantizes it without (and says so here).
            let missing = q.tensorsRequiringImatrix.filter { $0.changesType && imatrix.entries[$0.name] == nil }
            if let first = missing.first {
                q.warnings.append("\(imatrix.path): no importance entry for \(missing.count) tensor(s) whose type needs one, "
                    + "the first \(first.name) (\(first.targetType.displayName)); they are quantized without importance "
                    + "data (llama-quantize refuses this)")
            }
        }
        return q
    }

    static func ggmlType(_ text: String, option: String) throws -> ElementType {
        guard let t = ElementType(displayName: text), t.ggmlID != nil else {
            throw ConvertError.badOption(option: option, value: text, reason: "not a GGUF tensor type")
        }
        return t
    }

    static func reason(_ t: PlannedTensor) -> String {
        var s = t.reason.description
        if let from = t.fallbackFrom {
            s += "; fallback from \(from.displayName) (row \(t.shape.last ?? 1) not a multiple of \(from.blockElements))"
        }
        return s
    }

    // MARK: - Tensor by tensor (plain tensor files; safetensors output)

    /// Types a tensor-by-tensor conversion can store, per output format.
    static let safetensorsTypes: [ElementType] = [.f32, .f16, .bf16, .nf4, .int8Row]

    /// Names kept, no architecture: the target type goes to every floating-point 2-D (or larger) tensor whose rows
    /// fit the type's block; the rest keep their type and the plan says so. `--tensor-type` patterns match the
    /// tensor names as they are; `--imatrix` entries are matched by name.
    static func tensorByTensor(_ o: ConvertOptions, input: ConvertInput, format: OutputFormat,
                               imatrix: ImportanceMatrix?) throws -> ConversionPlan {
        let sources = input.converterOrder
        let target: ElementType
        var fileTypeName: String
        var fileTypeID: UInt32?
        var quantFileType: FileType?
        if let text = o.type {
            if format == .gguf {
                let t = try QuantTarget(parsing: text)
                target = t.fileType.defaultType
                fileTypeName = t.fileType.name
                fileTypeID = t.fileType.id
                quantFileType = t.fileType
            } else {
                guard let t = ElementType(displayName: text) else {
                    throw ConvertError.badOption(option: "--type", value: text, reason: "unknown type")
                }
                target = t
                fileTypeName = t.displayName
            }
        } else {
            target = autoType(sources)
            fileTypeName = target.displayName
            fileTypeID = FileType.forSingleType(target)?.id
        }
        if format == .safetensors, !safetensorsTypes.contains(target) {
            throw ConvertError.unsupportedForFormat(format: "safetensors", type: target.displayName,
                                                    supported: safetensorsTypes.map(\.displayName))
        }
        let overrides = try o.tensorTypes.map { try TensorTypeOverride(parsing: $0) }
        var outputs: [PlannedOutput] = []
        var kept: [String] = []
        var requant: [String] = []
        // Embedding and output head by the architecture's tensor map (a plain tensor file has neither role).
        var embeddingAndHead: Set<String> = []
        if case .huggingFace(_, let arch) = input.kind {
            embeddingAndHead = Set([TensorRole.tokenEmbedding, .output].compactMap { arch.tensors.hfName($0, layer: nil) })
        }
        for t in sources {
            if format == .safetensors, target == .nf4 || target == .int8Row {
                // Linear weights only, as transformers' bitsandbytes / compressed-tensors integrations quantize them:
                // 2-D floating-point `.weight` tensors, not embeddings, the output head or MoE routers.
                let eligible = t.type.isFloatingPoint && !t.type.isQuantized && t.shape.count == 2 && t.name.hasSuffix("weight")
                    && !embeddingAndHead.contains(t.name)
                    && !(o.keepRouterPrecision && QuantPlanner.isRouter(t.name))
                if eligible {
                    outputs += try weightComponents(t, layout: target == .nf4 ? .nf4 : .int8)
                    continue
                }
                outputs.append(PlannedOutput(name: t.name, shape: t.shape, type: storable(t.type, format: format),
                                             sourceType: t.type, origin: .tensor(t), reason: "kept: not a linear weight",
                                             byteCount: try storable(t.type, format: format).byteCount(shape: t.shape),
                                             sourceByteCount: t.byteCount))
                kept.append(t.name)
                continue
            }
            var type = target
            var why = "--type"
            if let ov = overrides.first(where: { $0.matches(t.name) }) {
                type = ov.type
                why = "--tensor-type \(ov.pattern)"
            }
            let floating = t.type.isFloatingPoint
            let rows = t.shape.count >= 2
            if !floating || !rows || (t.rowLength % type.blockElements) != 0 {
                type = storable(t.type, format: format)
                why = !floating ? "kept: not floating-point" : !rows ? "kept: 1-D" : "kept: row \(t.rowLength) not a multiple of \(target.blockElements)"
                kept.append(t.name)
            } else if t.type.isQuantized && t.type != type {
                requant.append(t.name)
            }
            if format == .safetensors, type.safetensorsName == nil {
                throw ConvertError.unsupportedForFormat(format: "safetensors", type: type.displayName,
                                                        supported: safetensorsTypes.map(\.displayName))
            }
            if format == .gguf, type.ggmlID == nil {
                throw ConvertError.unsupportedForFormat(format: "GGUF", type: "\(type.displayName) (tensor \(t.name))",
                                                        supported: ["F32", "F16", "BF16", "integer types", "ggml block types"])
            }
            outputs.append(PlannedOutput(name: t.name, shape: t.shape, type: type, sourceType: t.type, origin: .tensor(t),
                                         reason: why, byteCount: try type.byteCount(shape: t.shape),
                                         sourceByteCount: t.byteCount))
        }
        if !requant.isEmpty && !o.allowRequantize && !o.dryRun, format == .gguf {
            let t = input.info(requant[0])!
            throw ConvertError.alreadyQuantized(path: input.path, tensor: t.name, type: t.type.displayName)
        }
        var notes: [String] = []
        // llama-quantize's imatrix rule (`tensor_requires_imatrix`) holds for GGUF output tensor by tensor too.
        if format == .gguf, imatrix == nil, let ft = quantFileType {
            let needing = outputs.filter { $0.type != $0.sourceType && QuantPlanner.requiresImatrix($0.name, $0.type, ft) }
            if let first = needing.first {
                if !o.dryRun {
                    throw PlanError.imatrixRequired(tensor: first.name, type: first.type, reason: first.reason, fileType: ft.name)
                }
                notes.append("writing this plan will require an importance matrix (--imatrix): \(needing.count) tensor(s) "
                    + "need one, the first \(first.name) (\(first.type.displayName)); \(PlanError.imatrixAdvice)")
            }
        }
        if !kept.isEmpty {
            notes.append("\(kept.count) tensor(s) kept in their own type (1-D, not floating-point, or rows that do not fit \(target.displayName)'s \(target.blockElements)-element blocks)")
        }
        if let imatrix {
            let matched = outputs.filter { imatrix.entries[$0.name] != nil }.count
            notes.append("--imatrix: \(matched) of \(outputs.count) tensor names have an importance entry")
        }
        var metadata = Metadata()
        if format == .gguf {
            metadata.append("general.quantization_version", .uint32(2))
            if let id = fileTypeID { metadata.append("general.file_type", .uint32(id)) } else { fileTypeName = target.displayName }
        }
        let kind: String
        switch input.kind {
        case .gguf: kind = "GGUF"
        case .huggingFace(_, let a): kind = "\(a.id) (Hugging Face, tensors kept as stored)"
        case .tensorFile: kind = "tensor file"
        }
        return ConversionPlan(inputDescription: kind, outputPath: o.output, outputFormat: format, fileTypeName: fileTypeName,
                              tensors: outputs, metadata: metadata, notes: notes,
                              typesByPattern: ConversionPlan.patternSummary(outputs))
    }

    /// The tensors a weight becomes in a multi-tensor layout, with their exact sizes (computed from the shape, so the
    /// writer can lay out the file before any value is quantized).
    static func weightComponents(_ t: TensorInfo, layout: WeightLayout) throws -> [PlannedOutput] {
        let n = t.elementCount
        var parts: [(String, ElementType, [Int])]
        switch layout {
        case .nf4:
            let dtype = t.type == .bf16 ? "bfloat16" : t.type == .f16 ? "float16" : "float32"
            let state = NF4QuantState(quantType: .nf4, blockSize: 64, dtype: dtype, shape: t.shape, nested: nil)
            parts = [(t.name, .u8, [(n + 1) / 2, 1]), (t.name + ".absmax", .f32, [(n + 63) / 64]),
                     (t.name + ".quant_map", .f32, [16]),
                     (NF4QuantState.tensorName(prefix: t.name, type: .nf4), .u8, [state.json.utf8.count])]
        case .int8:
            parts = [(t.name, .i8, t.shape), (t.name + "_scale", .f32, [t.shape[0], 1])]
        }
        return try parts.enumerated().map { i, p in
            PlannedOutput(name: p.0, shape: p.2, type: p.1, sourceType: t.type,
                          origin: .component(source: t, layout: layout, index: i, count: parts.count),
                          reason: layout == .nf4 ? "NF4 (bitsandbytes layout, block 64)" : "INT8 per row",
                          byteCount: try p.1.byteCount(shape: p.2), sourceByteCount: i == 0 ? t.byteCount : 0)
        }
    }

    /// The type a kept tensor is stored in: its own when the format has it, F32 otherwise (F64, FP8 in GGUF).
    static func storable(_ t: ElementType, format: OutputFormat) -> ElementType {
        switch format {
        case .gguf: return t.ggmlID != nil ? t : (t.isFloatingPoint ? .f32 : t)
        case .safetensors: return t.safetensorsName != nil ? t : .f32
        }
    }

    // MARK: - Helpers

    static func optionalJSON(_ path: String) throws -> JSONObject? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSON.parseFile(path).object
    }

    static func canonical(_ path: String) -> String {
        guard let r = realpath(path, nil) else {
            // Not existing yet: canonicalise the directory part.
            let dir = (path as NSString).deletingLastPathComponent
            let base = (path as NSString).lastPathComponent
            guard let d = realpath(dir.isEmpty ? "." : dir, nil) else { return path }
            defer { free(d) }
            return String(cString: d) + "/" + base
        }
        defer { free(r) }
        return String(cString: r)
    }
}
