/// The stack of recently finished `subtasks` lists that stay in working memory.
///
/// TIMRUN keeps the last few finished lists instead of dropping each at once, so a parent's
/// conclusion can still read its subtasks and nothing thrashes. Pushing a list beyond the
/// capacity evicts the oldest; a list that contains lists already in the buffer (a parent's
/// list closing after its children's) takes their place, since evicting it evicts them too.
///
/// ```swift
/// var buffer = PruningBuffer(capacity: 2)
/// buffer.push(10..<20)   // []
/// buffer.push(30..<40)   // []
/// buffer.push(50..<60)   // [10..<20]: the oldest list leaves working memory
/// ```
struct PruningBuffer: Sendable, Equatable {
    /// How many finished lists stay; 0 evicts each list as soon as it closes.
    let capacity: Int
    /// Token index ranges of the kept lists, oldest first.
    private(set) var lists: [Range<Int>] = []

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Adds a finished list and returns the lists to evict, oldest first.
    mutating func push(_ list: Range<Int>) -> [Range<Int>] {
        lists.removeAll { list.lowerBound <= $0.lowerBound && $0.upperBound <= list.upperBound }
        lists.append(list)
        let overflow = max(0, lists.count - capacity)
        let evicted = Array(lists.prefix(overflow))
        lists.removeFirst(overflow)
        return evicted
    }
}
