/// The tables ggml's `iq3xs_init_impl(grid_size)` builds at init for the IQ3 encoders, built the same way on first
/// use from the generated `kgrid_256` / `kgrid_512` (``IQGrids``):
/// - `grid` (`kgrid_q3xs`): each lattice point as four odd levels `2l + 1` (1…15);
/// - `map` (`kmap_q3xs`): for each 12-bit code (four 3-bit levels), the point's index, or for a code off the lattice
///   `−(offset + 1)` into `neighbours`;
/// - `neighbours` (`kneighbors_q3xs`): per off-lattice code, a count then the points at the `nwant` smallest squared
///   distances (2 for IQ3_XXS, 3 for IQ3_S), in ggml's order: `qsort` by (distance, index), so ties go to the lower
///   index. ggml fills the lists in parallel but at offsets fixed by a sequential prefix sum, so the layout is this one.
///
/// Proved through the IQ3_XXS and IQ3_S encoders' byte identity with ggml (`GGMLVectorTests`) and `IQ3LatticeTests`.
struct IQ3Lattice: Sendable {
    /// Four levels per point, `levels[4 · j + i]` (ggml's `int8_t` view of `kgrid_q3xs[j]`).
    let levels: [Int8]
    let map: [Int32]
    let neighbours: [UInt16]

    static let mapSize = 4096

    /// IQ3_XXS's lattice (`iq3xs_init_impl(256)`).
    static let xxs = IQ3Lattice(kgrid: IQGrids.iq3xsKGrid256, nwant: 2)
    /// IQ3_S's lattice (`iq3xs_init_impl(512)`).
    static let s = IQ3Lattice(kgrid: IQGrids.iq3xsKGrid512, nwant: 3)

    init(kgrid: [UInt16], nwant: Int) {
        let n = kgrid.count
        var levels = [Int8](repeating: 0, count: 4 * n)
        for k in 0..<n {
            for i in 0..<4 { levels[4 * k + i] = Int8(2 * ((Int(kgrid[k]) >> (3 * i)) & 7) + 1) }
        }
        var map = [Int32](repeating: -1, count: Self.mapSize)
        for k in 0..<n {
            var index = 0
            for i in 0..<4 { index |= ((Int(levels[4 * k + i]) - 1) / 2) << (3 * i) }
            map[index] = Int32(k)
        }
        var neighbours: [UInt16] = []
        var dist = [(d2: Int, j: Int)](repeating: (0, 0), count: n)
        for code in 0..<Self.mapSize where map[code] < 0 {
            for j in 0..<n {
                var d2 = 0
                for k in 0..<4 {
                    let diff = Int(levels[4 * j + k]) - (2 * ((code >> (3 * k)) & 7) + 1)
                    d2 += diff * diff
                }
                dist[j] = (d2, j)
            }
            dist.sort { $0.d2 != $1.d2 ? $0.d2 < $1.d2 : $0.j < $1.j }   // iq3_compare_func
            map[code] = -Int32(neighbours.count + 1)
            let start = neighbours.count
            neighbours.append(0)
            var d2 = dist[0].d2, have = 1, count = 0
            for e in dist {
                if e.d2 > d2 {
                    if have == nwant { break }
                    d2 = e.d2
                    have += 1
                }
                neighbours.append(UInt16(e.j))
                count += 1
            }
            neighbours[start] = UInt16(count)
        }
        self.levels = levels
        self.map = map
        self.neighbours = neighbours
    }

    /// The 12-bit code of four levels `L[0..<4]` (each 0…7).
    @inline(__always)
    static func code(_ L: UnsafePointer<Int8>) -> Int {
        Int(L[0]) | Int(L[1]) << 3 | Int(L[2]) << 6 | Int(L[3]) << 9
    }

    /// `iq3_find_best_neighbour`: of the neighbours of off-lattice `code`, the point minimising
    /// `Σ weight · (scale · level − x)²` (first of equals wins); writes its levels `(level − 1)/2` to `L`.
    /// Where ggml would abort (no finite distance: overflowing inputs) the first neighbour is taken.
    @inline(__always)
    func bestNeighbour(_ code: Int, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ scale: Float,
                       _ L: UnsafeMutablePointer<Int8>) -> Int {
        let off = Int(-map[code] - 1)
        return neighbours.withUnsafeBufferPointer { nb in
            levels.withUnsafeBufferPointer { lv in
                let count = Int(nb[off])
                var best = Float.greatestFiniteMagnitude
                var index = Int(nb[off + 1])
                for j in 1...count {
                    let g = Int(nb[off + j])
                    var d2: Float = 0
                    for i in 0..<4 {
                        let diff = scale * Float(lv[4 * g + i]) - x[i]
                        d2 += weight[i] * diff * diff
                    }
                    if d2 < best { best = d2; index = g }
                }
                for i in 0..<4 { L[i] = (lv[4 * index + i] - 1) / 2 }
                return index
            }
        }
    }
}

// MARK: - The scale search shared by quantize_row_iq3_xxs_impl and quantize_row_iq3_s_impl

/// Scratch of one IQ3 sub-block of 32 (ggml's stack arrays `weight`, `waux`, `xval`, `L`, `Laux`, `is_on_grid*`).
struct IQ3Scratch {
    let weight: UnsafeMutablePointer<Float>, waux: UnsafeMutablePointer<Float>, xval: UnsafeMutablePointer<Float>
    let L: UnsafeMutablePointer<Int8>, Laux: UnsafeMutablePointer<Int8>
    let onGrid: UnsafeMutablePointer<Bool>, onGridAux: UnsafeMutablePointer<Bool>

    /// Runs `body` with scratch on the heap (freed after).
    static func with<R>(_ body: (IQ3Scratch) -> R) -> R {
        let f = UnsafeMutablePointer<Float>.allocate(capacity: 96)
        let b = UnsafeMutablePointer<Int8>.allocate(capacity: 64)
        let g = UnsafeMutablePointer<Bool>.allocate(capacity: 16)
        defer { f.deallocate(); b.deallocate(); g.deallocate() }
        return body(IQ3Scratch(weight: f, waux: f + 32, xval: f + 64, L: b, Laux: b + 32, onGrid: g, onGridAux: g + 8))
    }
}

extension IQ3Lattice {
    /// The per-sub-block search of `quantize_row_iq3_xxs_impl` / `quantize_row_iq3_s_impl` (kMaxQ 8), on
    /// `s.xval` (|x| with the sign-parity flip already applied), `s.weight` and `s.waux = √weight`, `max` the largest
    /// xval: for `is` in −steps…steps try `id = (15 + 0.2·is)/max`, round each group of four to the lattice (or its best
    /// neighbour at `1/id`), keep the best weighted fit; then re-round the groups that were off the lattice
    /// (`refitAllGroups`: every group, IQ3_S) at the fitted scale and refit. `s.L` receives the levels (0…7).
    /// `startOnGrid` is ggml's initial `is_on_grid` (true for IQ3_XXS, false for IQ3_S).
    func searchScale(_ s: IQ3Scratch, max: Float, steps: Int, startOnGrid: Bool, refitAllGroups: Bool) -> Float {
        let kMaxQ: Int32 = 8
        var best: Float = 0
        var scale = max / Float(2 * kMaxQ - 1)
        for k in 0..<8 { s.onGrid[k] = startOnGrid }
        for i in 0..<32 { s.L[i] = 0 }
        for step in -steps...steps {
            let id = (Float(2 * kMaxQ - 1) + Float(step) * 0.2) / max
            let thisScale = 1 / id
            for k in 0..<8 {
                for i in 0..<4 {
                    let l = QuantMath.nearestInt(0.5 * (id * s.xval[4 * k + i] - 1))
                    s.Laux[4 * k + i] = Int8(Swift.max(0, Swift.min(kMaxQ - 1, l)))
                }
                let u = Self.code(s.Laux + 4 * k)
                s.onGridAux[k] = true
                if map[u] < 0 {
                    s.onGridAux[k] = false
                    _ = bestNeighbour(u, s.xval + 4 * k, s.waux + 4 * k, thisScale, s.Laux + 4 * k)
                }
            }
            var sumqx: Float = 0, sumq2: Float = 0
            for i in 0..<32 {
                let w = s.weight[i], q = Float(2 * Int32(s.Laux[i]) + 1)
                sumqx += w * s.xval[i] * q
                sumq2 += w * q * q
            }
            if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                scale = sumqx / sumq2; best = scale * sumqx
                for i in 0..<32 { s.L[i] = s.Laux[i] }
                for k in 0..<8 { s.onGrid[k] = s.onGridAux[k] }
            }
        }
        var offGrid = 0
        for k in 0..<8 where !s.onGrid[k] { offGrid += 1 }
        if offGrid > 0 && scale > 0 {
            let id = 1 / scale
            levels.withUnsafeBufferPointer { lv in
                for k in 0..<8 {
                    if !refitAllGroups && s.onGrid[k] { continue }
                    var u = 0
                    for i in 0..<4 {
                        let l = Swift.max(0, Swift.min(kMaxQ - 1, QuantMath.nearestInt(0.5 * (id * s.xval[4 * k + i] - 1))))
                        u |= Int(l) << (3 * i)
                    }
                    var g = Int(map[u])
                    if g < 0 { g = bestNeighbour(u, s.xval + 4 * k, s.waux + 4 * k, scale, s.L + 4 * k) }
                    for i in 0..<4 { s.L[4 * k + i] = (lv[4 * g + i] - 1) / 2 }
                }
            }
            var sumqx: Float = 0, sumq2: Float = 0
            for i in 0..<32 {
                let w = s.weight[i], q = Float(2 * Int32(s.L[i]) + 1)
                sumqx += w * s.xval[i] * q
                sumq2 += w * q * q
            }
            if sumq2 > 0 { scale = sumqx / sumq2 }
        }
        return scale
    }

    /// The lattice index of the four levels at `L` (on the lattice by construction: every level set comes from a point).
    @inline(__always)
    func index(_ L: UnsafePointer<Int8>) -> Int {
        let g = Int(map[Self.code(L)])
        precondition(g >= 0, "IQ3 levels off the lattice")   // ggml: "Oops: found point … not on grid", abort
        return g
    }
}
