/// The tables ggml's `iq3xs_init_impl(grid_size)` and `iq2xs_init_impl(type)` build at init for the lattice
/// encoders, built the same way on first use from the generated `kgrid_*` tables (``IQGrids``):
/// - `levels` (`kgrid_q3xs` / `kgrid_q2xs`): each lattice point as `groupSize` odd levels `2l + 1`;
/// - `map` (`kmap_q3xs` / `kmap_q2xs`): for each code (`groupSize` levels of `bits` bits), the point's index, or for
///   a code off the lattice `−(offset + 1)` into `neighbours`;
/// - `neighbours` (`kneighbors_q*xs`): per off-lattice code, a count then the points at the `nwant` smallest squared
///   distances, in ggml's order: `qsort` by (distance, index), so ties go to the lower index. ggml fills the lists
///   in parallel at offsets fixed by a sequential prefix sum over the codes, which is this layout.
///
/// Proved through the encoders' byte identity with ggml (`GGMLVectorTests`) and `IQLatticeTests`.
struct IQLattice: Sendable {
    /// Levels per point (4 for IQ3, 8 for IQ2).
    let groupSize: Int
    /// Bits per level in a code (3 for IQ3, 2 for IQ2).
    let bits: Int
    /// `groupSize` levels per point, `levels[groupSize · j + i]` (ggml's `int8_t` view of the grid entry).
    let levels: [Int8]
    let map: [Int32]
    let neighbours: [UInt16]

    /// IQ3_XXS's lattice (`iq3xs_init_impl(256)`: 4096 codes, 2 distances).
    static let iq3xxs = IQLattice(kgrid: IQGrids.iq3xsKGrid256, groupSize: 4, bits: 3, mapSize: 4096, nwant: 2)
    /// IQ3_S's lattice (`iq3xs_init_impl(512)`: 3 distances).
    static let iq3s = IQLattice(kgrid: IQGrids.iq3xsKGrid512, groupSize: 4, bits: 3, mapSize: 4096, nwant: 3)
    /// IQ2_S's lattice (`iq2xs_init_impl(GGML_TYPE_IQ2_S)`: `kmap_size` 43692 codes, 1 distance).
    static let iq2s = IQLattice(kgrid: IQGrids.iq2xsKGrid1024, groupSize: 8, bits: 2, mapSize: 43692, nwant: 1)

    /// IQ2_XXS's lattice (`iq2xs_init_impl(GGML_TYPE_IQ2_XXS)`: 256 points, 2 distances).
    static let iq2xxs = IQLattice(kgrid: IQGrids.iq2xsKGrid256, groupSize: 8, bits: 2, mapSize: 43692, nwant: 2)
    /// IQ2_XS's lattice (`iq2xs_init_impl(GGML_TYPE_IQ2_XS)`: 512 points, 2 distances).
    static let iq2xs = IQLattice(kgrid: IQGrids.iq2xsKGrid512, groupSize: 8, bits: 2, mapSize: 43692, nwant: 2)
    /// IQ1_S's and IQ1_M's lattice (`iq2xs_init_impl(GGML_TYPE_IQ1_S)`: 2048 points of levels 0…2, 3 distances).
    static let iq1s = IQLattice(kgrid: IQGrids.iq1sKGrid2048, groupSize: 8, bits: 2, mapSize: 43692, nwant: 3)

    init(kgrid: [UInt16], groupSize: Int, bits: Int, mapSize: Int, nwant: Int) {
        let n = kgrid.count, mask = (1 << bits) - 1
        var levels = [Int8](repeating: 0, count: groupSize * n)
        for k in 0..<n {
            for i in 0..<groupSize { levels[groupSize * k + i] = Int8(2 * ((Int(kgrid[k]) >> (bits * i)) & mask) + 1) }
        }
        var map = [Int32](repeating: -1, count: mapSize)
        for k in 0..<n {
            var index = 0
            for i in 0..<groupSize { index |= ((Int(levels[groupSize * k + i]) - 1) / 2) << (bits * i) }
            map[index] = Int32(k)
        }
        var neighbours: [UInt16] = []
        var dist = [Int](repeating: 0, count: n)
        var pos = [Int](repeating: 0, count: groupSize)
        for code in 0..<mapSize where map[code] < 0 {
            for k in 0..<groupSize { pos[k] = 2 * ((code >> (bits * k)) & mask) + 1 }
            var smallest: [Int] = []   // the nwant smallest distinct distances, ascending
            for j in 0..<n {
                var d2 = 0
                for k in 0..<groupSize {
                    let diff = Int(levels[groupSize * j + k]) - pos[k]
                    d2 += diff * diff
                }
                dist[j] = d2
                if smallest.count < nwant || d2 < smallest[smallest.count - 1], !smallest.contains(d2) {
                    smallest.append(d2)
                    smallest.sort()
                    if smallest.count > nwant { smallest.removeLast() }
                }
            }
            // qsort by (distance, index) then the first entries up to the nwant-th distinct distance.
            map[code] = -Int32(neighbours.count + 1)
            let start = neighbours.count
            neighbours.append(0)
            for d2 in smallest {
                for j in 0..<n where dist[j] == d2 { neighbours.append(UInt16(j)) }
            }
            neighbours[start] = UInt16(neighbours.count - start - 1)
        }
        self.groupSize = groupSize
        self.bits = bits
        self.levels = levels
        self.map = map
        self.neighbours = neighbours
    }

    /// The code of `groupSize` levels at `L`.
    @inline(__always)
    func code(_ L: UnsafePointer<Int8>) -> Int {
        var u = 0
        for i in 0..<groupSize { u |= Int(L[i]) << (bits * i) }
        return u
    }

    /// `iq3_find_best_neighbour` / `iq2_find_best_neighbour`: of the neighbours of off-lattice `code`, the point
    /// minimising `Σ weight · (scale · level − x)²` (first of equals wins); writes its levels `(level − 1)/2` to `L`.
    /// Where ggml would abort (no finite distance: overflowing inputs) the first neighbour is taken.
    @inline(__always)
    func bestNeighbour(_ code: Int, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ scale: Float,
                       _ L: UnsafeMutablePointer<Int8>) -> Int {
        let off = Int(-map[code] - 1), gs = groupSize
        return neighbours.withUnsafeBufferPointer { nb in
            levels.withUnsafeBufferPointer { lv in
                let count = Int(nb[off])
                var best = Float.greatestFiniteMagnitude
                var index = Int(nb[off + 1])
                for j in 1...count {
                    let g = Int(nb[off + j])
                    var d2: Float = 0
                    for i in 0..<gs {
                        let diff = scale * Float(lv[gs * g + i]) - x[i]
                        d2 += weight[i] * diff * diff
                    }
                    if d2 < best { best = d2; index = g }
                }
                for i in 0..<gs { L[i] = (lv[gs * index + i] - 1) / 2 }
                return index
            }
        }
    }

    /// `iq1_find_best_neighbour2`: of the neighbours of off-lattice `code`, the point minimising
    /// `Σ weight · (scale · xg[level] − x)²` with `xg` the three shifted IQ1 values (first of equals wins); writes its
    /// levels to `L`. ggml falls back to a scan of the whole grid only when no distance is below FLT_MAX (that scan
    /// reads `xval` out of bounds, undefined behaviour); finite inputs never get there, and here the first
    /// neighbour is taken instead.
    @inline(__always)
    func bestNeighbourIQ1(_ code: Int, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ scale: Float,
                          _ xg: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>) -> Int {
        let off = Int(-map[code] - 1)
        return neighbours.withUnsafeBufferPointer { nb in
            levels.withUnsafeBufferPointer { lv in
                let count = Int(nb[off])
                var best = Float.greatestFiniteMagnitude
                var index = Int(nb[off + 1])
                for j in 1...count {
                    let g = Int(nb[off + j])
                    var d2: Float = 0
                    for i in 0..<8 {
                        let q = xg[Int((lv[8 * g + i] - 1) / 2)]
                        let diff = scale * q - x[i]
                        d2 += weight[i] * diff * diff
                    }
                    if d2 < best { best = d2; index = g }
                }
                for i in 0..<8 { L[i] = (lv[8 * index + i] - 1) / 2 }
                return index
            }
        }
    }

    /// The lattice index of the levels at `L` (on the lattice by construction: every level set comes from a point).
    @inline(__always)
    func index(_ L: UnsafePointer<Int8>) -> Int {
        let g = Int(map[code(L)])
        precondition(g >= 0, "lattice levels off the grid")   // ggml: "Oops: found point … not on grid", abort
        return g
    }
}

// MARK: - The scale search shared by the IQ2_S, IQ3_XXS and IQ3_S encoders

/// Scratch of one sub-block (ggml's stack arrays `weight`, `waux`, `xval`, `L`, `Laux`, `is_on_grid*`), up to 32.
struct IQScratch {
    let weight: UnsafeMutablePointer<Float>, waux: UnsafeMutablePointer<Float>, xval: UnsafeMutablePointer<Float>
    let L: UnsafeMutablePointer<Int8>, Laux: UnsafeMutablePointer<Int8>
    let onGrid: UnsafeMutablePointer<Bool>, onGridAux: UnsafeMutablePointer<Bool>

    /// Runs `body` with scratch on the heap (freed after).
    static func with<R>(_ body: (IQScratch) -> R) -> R {
        let f = UnsafeMutablePointer<Float>.allocate(capacity: 96)
        let b = UnsafeMutablePointer<Int8>.allocate(capacity: 64)
        let g = UnsafeMutablePointer<Bool>.allocate(capacity: 16)
        defer { f.deallocate(); b.deallocate(); g.deallocate() }
        return body(IQScratch(weight: f, waux: f + 32, xval: f + 64, L: b, Laux: b + 32, onGrid: g, onGridAux: g + 8))
    }
}

extension IQScratch {
    /// The per-element weights of ggml's grid i-quants for one group of `count` elements of `xb`:
    /// `weight[i] = qw[i] · sqrt(sigma2 + x[i]²)` (qw nil: 1, ggml's weights of ones) and `waux[i] = sqrt(weight[i])`.
    func weighImportance(_ xb: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, count: Int, sigma2: Float) {
        for i in 0..<count {
            let w: Float = qw.map { $0[i] } ?? 1
            weight[i] = w * (sigma2 + xb[i] * xb[i]).squareRoot()
        }
        for i in 0..<count { waux[i] = weight[i].squareRoot() }
    }

    /// ggml's sign rule for the grid i-quants (`quantize_row_iq2_xxs_impl`, `_iq2_xs_`, `_iq3_xxs_`): for each of
    /// `groups` groups of 8 elements of `xb`, `xval` receives |x| and the group's sign bits must hold an even number
    /// of minus signs — when the count is odd, the element with the smallest `weight·x²` (the first, on ties) is
    /// flipped, in `xval` and in the bits. `signs[k]` receives the 7 stored bits of group k (the 8th is implied).
    func evenParitySigns(_ xb: UnsafePointer<Float>, groups: Int, into signs: inout [UInt8]) {
        for k in 0..<groups {
            var nflip = 0
            var sg: UInt8 = 0
            for i in 0..<8 {
                if xb[8 * k + i] >= 0 { xval[8 * k + i] = xb[8 * k + i] }
                else { xval[8 * k + i] = -xb[8 * k + i]; nflip += 1; sg |= UInt8(1) << i }
            }
            if nflip % 2 == 1 {
                var imin = 0
                var min = weight[8 * k] * xb[8 * k] * xb[8 * k]
                for i in 1..<8 {
                    let ax = weight[8 * k + i] * xb[8 * k + i] * xb[8 * k + i]
                    if ax < min { min = ax; imin = i }
                }
                xval[8 * k + imin] = -xval[8 * k + imin]
                sg ^= UInt8(1) << imin
            }
            signs[k] = sg & 127
        }
    }
}

extension IQLattice {
    /// How an encoder runs the search (the constants of its `quantize_row_*_impl`).
    struct Search {
        /// Elements per sub-block (32 for IQ3, 16 for IQ2_S), `groups` lattice groups.
        var subBlock: Int
        /// `kMaxQ`: levels 0…kMaxQ−1 (8 for IQ3, 3 for IQ2_S).
        var kMaxQ: Int32
        /// The scale steps: `id = (2·kMaxQ − 1 + is·stepSize)/max` for `is` in −steps…steps.
        var steps: Int
        var stepSize: Float
        /// ggml's initial `is_on_grid` (true: IQ3_XXS, IQ2_S; false: IQ3_S).
        var startOnGrid: Bool
        /// Whether the final pass re-rounds every group (IQ3_S) or only those off the lattice.
        var refitAllGroups: Bool
    }

    /// The per-sub-block search of `quantize_row_iq3_xxs_impl` / `quantize_row_iq3_s_impl` / `quantize_row_iq2_s_impl`
    /// on `s.xval` (|x|, with any sign-parity flip already applied), `s.weight` and `s.waux = √weight`, `max` the
    /// largest xval: for each step try `id`, round each group to the lattice (or its best neighbour at `1/id`), keep
    /// the best weighted fit; then re-round the groups that were off the lattice (or all) at the fitted scale and
    /// refit. `s.L` receives the levels.
    func searchScale(_ s: IQScratch, max: Float, _ p: Search) -> Float {
        let gs = groupSize, groups = p.subBlock / groupSize, kMaxQ = p.kMaxQ
        var best: Float = 0
        var scale = max / Float(2 * kMaxQ - 1)
        for k in 0..<groups { s.onGrid[k] = p.startOnGrid }
        for i in 0..<p.subBlock { s.L[i] = 0 }
        for step in -p.steps...p.steps {
            let id = (Float(2 * kMaxQ - 1) + Float(step) * p.stepSize) / max
            let thisScale = 1 / id
            for k in 0..<groups {
                for i in 0..<gs {
                    let l = QuantMath.nearestInt(0.5 * (id * s.xval[gs * k + i] - 1))
                    s.Laux[gs * k + i] = Int8(Swift.max(0, Swift.min(kMaxQ - 1, l)))
                }
                let u = code(s.Laux + gs * k)
                s.onGridAux[k] = true
                if map[u] < 0 {
                    s.onGridAux[k] = false
                    _ = bestNeighbour(u, s.xval + gs * k, s.waux + gs * k, thisScale, s.Laux + gs * k)
                }
            }
            var sumqx: Float = 0, sumq2: Float = 0
            for i in 0..<p.subBlock {
                let w = s.weight[i], q = Float(2 * Int32(s.Laux[i]) + 1)
                sumqx += w * s.xval[i] * q
                sumq2 += w * q * q
            }
            if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                scale = sumqx / sumq2; best = scale * sumqx
                for i in 0..<p.subBlock { s.L[i] = s.Laux[i] }
                for k in 0..<groups { s.onGrid[k] = s.onGridAux[k] }
            }
        }
        var offGrid = 0
        for k in 0..<groups where !s.onGrid[k] { offGrid += 1 }
        if offGrid > 0 && scale > 0 {
            let id = 1 / scale
            levels.withUnsafeBufferPointer { lv in
                for k in 0..<groups {
                    if !p.refitAllGroups && s.onGrid[k] { continue }
                    var u = 0
                    for i in 0..<gs {
                        let l = Swift.max(0, Swift.min(kMaxQ - 1, QuantMath.nearestInt(0.5 * (id * s.xval[gs * k + i] - 1))))
                        u |= Int(l) << (bits * i)
                    }
                    var g = Int(map[u])
                    if g < 0 { g = bestNeighbour(u, s.xval + gs * k, s.waux + gs * k, scale, s.L + gs * k) }
                    for i in 0..<gs { s.L[gs * k + i] = (lv[gs * g + i] - 1) / 2 }
                }
            }
            var sumqx: Float = 0, sumq2: Float = 0
            for i in 0..<p.subBlock {
                let w = s.weight[i], q = Float(2 * Int32(s.L[i]) + 1)
                sumqx += w * s.xval[i] * q
                sumq2 += w * q * q
            }
            if sumq2 > 0 { scale = sumqx / sumq2 }
        }
        return scale
    }
}
