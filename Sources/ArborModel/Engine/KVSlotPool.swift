import CArborKernels

/// The KV cache as a pool of one-token pages ("slots").
///
/// Storage is `[nLayer][nSlots][kvDim]` f16 for keys and the same for values, like
/// llama.cpp's default cache type. Metadata — each slot's position and owner — lives in
/// separate arrays, so pruning edits metadata and a free list, never the tensors.
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

    /// Position of each slot's token; `-1` marks a free slot.
    public private(set) var positions: [Int32]
    /// A caller-chosen tag per slot (a task or sequence id); `-1` when free.
    public private(set) var owners: [Int32]
    private var freeList: [Int32]
    private var ropeTable: [Float]

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
        positions = Array(repeating: -1, count: capacity)
        owners = Array(repeating: -1, count: capacity)
        // Pop from the end: lowest slots first, which keeps a fresh sequence contiguous.
        freeList = (0..<Int32(capacity)).reversed()
        ropeTable = Array(repeating: 0, count: config.ropeDims)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Slots currently free.
    public var freeCount: Int { freeList.count }

    /// Bytes of key and value storage (f16), allocated once for the whole capacity.
    public var byteCount: Int { 2 * nLayer * capacity * kvDim * MemoryLayout<UInt16>.size }

    /// Takes a free slot for a token at `position`. Throws `cacheFull` when none is left.
    public func allocate(position: Int32, owner: Int32 = 0) throws -> Int32 {
        guard let slot = freeList.popLast() else { throw ModelError.cacheFull(capacity: capacity) }
        positions[Int(slot)] = position
        owners[Int(slot)] = owner
        return slot
    }

    /// Returns slots to the pool. Slots already free are ignored.
    /// - Returns: how many slots were actually freed.
    @discardableResult
    public func free(_ slots: [Int32]) -> Int {
        var freed = 0
        for slot in slots where slot >= 0 && Int(slot) < capacity && positions[Int(slot)] >= 0 {
            positions[Int(slot)] = -1
            owners[Int(slot)] = -1
            freeList.append(slot)
            freed += 1
        }
        return freed
    }

    /// Moves the tokens in `slots` by `delta` positions: their cached keys are rotated by
    /// `delta` in every layer (RoPE rotations compose), values are unchanged.
    /// Precondition: every slot is in use. Returns whether anything changed.
    @discardableResult
    public func reposition(_ slots: [Int32], delta: Int32) -> Bool {
        guard delta != 0, !slots.isEmpty else { return false }
        ropeTable.withUnsafeMutableBufferPointer { table in
            arbor_rope_table(table.baseAddress, Int64(delta), Int32(ropeDims), ropeBase)
            for slot in slots {
                precondition(positions[Int(slot)] >= 0, "reposition of free slot \(slot)")
                positions[Int(slot)] += delta
                for layer in 0..<nLayer {
                    arbor_rope_apply_f16(keyRow(layer: layer, slot: slot), Int32(nKVHead), Int32(headDim),
                                         Int32(ropeDims), table.baseAddress, ropeNeoX ? 1 : 0)
                }
            }
        }
        return true
    }

    /// Start of one layer's key cache, `[capacity][kvDim]`.
    func keyLayer(_ layer: Int) -> UnsafeMutablePointer<UInt16> { keys + layer * capacity * kvDim }
    /// Start of one layer's value cache, `[capacity][kvDim]`.
    func valueLayer(_ layer: Int) -> UnsafeMutablePointer<UInt16> { values + layer * capacity * kvDim }
    func keyRow(layer: Int, slot: Int32) -> UnsafeMutablePointer<UInt16> { keyLayer(layer) + Int(slot) * kvDim }
    func valueRow(layer: Int, slot: Int32) -> UnsafeMutablePointer<UInt16> { valueLayer(layer) + Int(slot) * kvDim }
}
