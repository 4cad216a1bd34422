import CArborKernels

/// The KV cache as a pool of one-token pages ("slots").
///
/// Storage is `[nLayer][nSlots][kvDim]` f16 for keys and the same for values, like
/// llama.cpp's default cache type. Metadata — each slot's position and owner, the free list,
/// the sequence, the rotations owed — lives in one ``KVCells`` value, so pruning edits
/// metadata, never the tensors, until the queued rotations are applied in one pass.
/// Slots are taken and returned in any order; a sequence is an ordered list of slots.
///
/// ```swift
/// let pool = KVSlotPool(config: config, capacity: 2048)
/// let slot = try pool.allocate(position: 0)
/// pool.free([slot])
/// ```
public final class KVSlotPool: @unchecked Sendable {
    // @unchecked: owns raw buffers; used by one model from one thread at a time.
    public let nLayer: Int
    public let capacity: Int
    public let kvDim: Int
    let nKVHead: Int
    let headDim: Int
    let ropeDims: Int
    let ropeBase: Float
    let ropeNeoX: Bool

    /// [nLayer][capacity][kvDim] f16
    let keys: UnsafeMutablePointer<UInt16>
    /// [nLayer][capacity][kvDim] f16
    let values: UnsafeMutablePointer<UInt16>

    /// The slots' metadata: used or free, positions, owners, the sequence and the key
    /// rotations owed. The pool keeps no copy of it.
    public private(set) var cells: KVCells
    /// Position of each slot's token; `-1` marks a free slot.
    public var positions: [Int32] { cells.positions }
    /// A caller-chosen tag per slot (a task or sequence id); `-1` when free.
    public var owners: [Int32] { cells.owners }
    /// One rotation table per queued shift, `[shifts][ropeDims]`, reused from pass to pass.
    private var ropeTables: [Float] = []

    public init(config: ModelConfig, capacity: Int) {
        precondition(capacity > 0, "a KV pool needs at least one slot")
        nLayer = config.nLayer
        self.capacity = capacity
        kvDim = config.kvDim
        nKVHead = config.nKVHead
        headDim = config.headDim
        ropeDims = config.ropeDims
        ropeBase = config.ropeBase
        ropeNeoX = config.ropeIsNeoX
        let count = nLayer * capacity * kvDim
        keys = .allocate(capacity: count)
        keys.initialize(repeating: 0, count: count)
        values = .allocate(capacity: count)
        values.initialize(repeating: 0, count: count)
        cells = KVCells(capacity: capacity)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Slots currently free.
    public var freeCount: Int { cells.freeCount }

    /// Bytes of key and value storage (f16), allocated once for the whole capacity.
    public var byteCount: Int { 2 * nLayer * capacity * kvDim * MemoryLayout<UInt16>.size }

    /// Takes a free slot for a token at `position` (appended to the sequence). Throws
    /// `cacheFull` when none is left.
    public func allocate(position: Int32, owner: Int32 = 0) throws -> Int32 {
        try cells.allocate(position: position, owner: owner)
    }

    /// Returns slots to the pool. Slots already free are ignored.
    /// - Returns: how many slots were actually freed.
    @discardableResult
    public func free(_ slots: [Int32]) -> Int { cells.free(slots) }

    /// Moves the tokens in `slots` by `delta` positions: their positions change now, and their
    /// cached keys are rotated by `delta` in every layer (RoPE rotations compose) before the
    /// keys are next read (``applyPendingShifts()``); values are unchanged.
    /// Precondition: every slot is in use. Returns whether anything changed.
    @discardableResult
    public func reposition(_ slots: [Int32], delta: Int32) -> Bool { cells.shift(slots, by: delta) }

    /// Rotates the keys every queued shift owes, in one pass over the layers: within a layer,
    /// shift by shift in the order queued, one rotation each — the same arithmetic as rotating
    /// each when it was asked for. Called before keys are read or written (a forward step, a
    /// row copy or write).
    func applyPendingShifts() {
        guard !cells.pendingShifts.isEmpty else { return }
        let shifts = cells.takePendingShifts()
        if ropeTables.count < shifts.count * ropeDims { ropeTables = Array(repeating: 0, count: shifts.count * ropeDims) }
        ropeTables.withUnsafeMutableBufferPointer { tables in
            for (index, shift) in shifts.enumerated() {
                arbor_rope_table(tables.baseAddress! + index * ropeDims, Int64(shift.delta), Int32(ropeDims), ropeBase)
            }
            for layer in 0..<nLayer {
                for (index, shift) in shifts.enumerated() {
                    let table = tables.baseAddress! + index * ropeDims
                    for slot in shift.cells {
                        arbor_rope_apply_f16(keyRow(layer: layer, slot: slot), Int32(nKVHead), Int32(headDim),
                                             Int32(ropeDims), table, ropeNeoX ? 1 : 0)
                    }
                }
            }
        }
    }

    /// Start of one layer's key cache, `[capacity][kvDim]`.
    func keyLayer(_ layer: Int) -> UnsafeMutablePointer<UInt16> { keys + layer * capacity * kvDim }
    /// Start of one layer's value cache, `[capacity][kvDim]`.
    func valueLayer(_ layer: Int) -> UnsafeMutablePointer<UInt16> { values + layer * capacity * kvDim }
    func keyRow(layer: Int, slot: Int32) -> UnsafeMutablePointer<UInt16> { keyLayer(layer) + Int(slot) * kvDim }
    func valueRow(layer: Int, slot: Int32) -> UnsafeMutablePointer<UInt16> { valueLayer(layer) + Int(slot) * kvDim }
}
