/// The one ledger of the KV cache's cells (one token each): which are used, each one's
/// position and owner tag, the sequence they form, and the key rotations still owed to them.
///
/// The tensors live elsewhere (``KVSlotPool``); everything else that needs to know about a
/// cell — the transformer's attention order, the runtime's working memory, the pool's
/// re-rotation pass — asks this value instead of keeping its own copy. Moving tokens
/// (``shift(_:by:)``) updates their positions at once and queues the key rotation; the
/// pool applies the queue in one pass before anything reads the keys, shift by shift in the
/// order they were queued, so the f16 rounding is exactly that of rotating at once (two
/// rotations by `a` and `b` are never merged into one by `a + b`, which rounds differently).
///
/// ```swift
/// var cells = KVCells(capacity: 4)
/// let a = try cells.allocate(position: 0), b = try cells.allocate(position: 1)
/// cells.free([a])
/// cells.shift([b], by: -1)      // b is at position 0 now; its keys owe a rotation by -1
/// let owed = cells.takePendingShifts()
/// ```
public struct KVCells: Sendable, Equatable {
    /// Key rotations owed to some cells: rotate each one's keys by `delta` positions.
    public struct Shift: Sendable, Equatable {
        public var delta: Int32
        public var cells: [Int32]

        public init(delta: Int32, cells: [Int32]) {
            self.delta = delta
            self.cells = cells
        }
    }

    public let capacity: Int
    /// Position of each cell's token; `-1` marks a free cell.
    public private(set) var positions: [Int32]
    /// A caller-chosen tag per cell (a task or sequence id); `-1` when free.
    public private(set) var owners: [Int32]
    /// The used cells in attention order (the order they were taken in).
    public private(set) var sequence: [Int32] = []
    /// Rotations queued by ``shift(_:by:)`` and not yet applied, oldest first.
    public private(set) var pendingShifts: [Shift] = []
    private var freeList: [Int32]

    public init(capacity: Int) {
        precondition(capacity > 0, "a KV cache needs at least one cell")
        self.capacity = capacity
        positions = Array(repeating: -1, count: capacity)
        owners = Array(repeating: -1, count: capacity)
        // Pop from the end: lowest cells first, which keeps a fresh sequence contiguous.
        freeList = (0..<Int32(capacity)).reversed()
        sequence.reserveCapacity(capacity)
    }

    /// Cells currently free.
    public var freeCount: Int { freeList.count }

    /// Whether `cell` holds a token.
    public func isUsed(_ cell: Int32) -> Bool { cell >= 0 && Int(cell) < capacity && positions[Int(cell)] >= 0 }

    /// Takes a free cell for a token at `position` and appends it to the sequence.
    /// Throws `cacheFull` when none is left.
    public mutating func allocate(position: Int32, owner: Int32 = 0) throws -> Int32 {
        guard let cell = freeList.popLast() else { throw ModelError.cacheFull(capacity: capacity) }
        positions[Int(cell)] = position
        owners[Int(cell)] = owner
        sequence.append(cell)
        return cell
    }

    /// Returns cells to the free list and drops them from the sequence and from the queued
    /// shifts (a freed cell's keys are never read again; the next token there writes its own).
    /// Cells already free are ignored.
    /// - Returns: how many cells were actually freed.
    @discardableResult
    public mutating func free(_ cells: [Int32]) -> Int {
        var dropped = Set<Int32>()
        for cell in cells where isUsed(cell) {
            positions[Int(cell)] = -1
            owners[Int(cell)] = -1
            freeList.append(cell)
            dropped.insert(cell)
        }
        guard !dropped.isEmpty else { return 0 }
        sequence.removeAll { dropped.contains($0) }
        for index in pendingShifts.indices { pendingShifts[index].cells.removeAll { dropped.contains($0) } }
        pendingShifts.removeAll { $0.cells.isEmpty }
        return dropped.count
    }

    /// Moves the tokens in `cells` by `delta` positions now and queues the rotation of their
    /// keys. Precondition: every cell is used. Returns whether anything changed.
    @discardableResult
    public mutating func shift(_ cells: [Int32], by delta: Int32) -> Bool {
        guard delta != 0, !cells.isEmpty else { return false }
        for cell in cells {
            precondition(isUsed(cell), "shift of free cell \(cell)")
            positions[Int(cell)] += delta
        }
        pendingShifts.append(Shift(delta: delta, cells: cells))
        return true
    }

    /// Hands the queued rotations over (oldest first) to whoever applies them, and forgets them.
    public mutating func takePendingShifts() -> [Shift] {
        defer { pendingShifts.removeAll(keepingCapacity: true) }
        return pendingShifts
    }
}
