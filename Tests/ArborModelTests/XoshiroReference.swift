/// First outputs of xoshiro256** seeded through splitmix64, from an independent Python
/// implementation of the published algorithm.
enum XoshiroReference {
    static let seed0: [UInt64] = [11091344671253066420, 13793997310169335082, 1900383378846508768]
}
