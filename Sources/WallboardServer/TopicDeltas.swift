import JSONC
import JSONModel

/// The parts of topic deltas that carry only what changed (docs/protocol.md, "Deltas"): agents field by
/// field, objects key by key, lists as edits of the list the client has.
enum TopicDeltas {
    /// One object's JSON, member by member: each member (`"name":value`) encoded once, reused while its
    /// value stays the same, and the whole object joined from them. Immutable and shared by reference:
    /// two topics that published the same agent hold the same instance, so "unchanged" is `===`.
    final class EncodedObject: Sendable {
        /// The object as values (compared member by member with the next version).
        let object: JSONObject
        /// Each member as JSON text, `"name":value`, in the object's order.
        let members: [String]
        /// The whole object as JSON text, joined when asked for (a whole payload, a new member of a
        /// delta): a changed agent goes out as its changed members only.
        var json: String { "{" + members.joined(separator: ",") + "}" }

        /// Encodes `object`, reusing the text of each member whose name and value `previous` has at the same place.
        init(_ object: JSONObject, reusing previous: EncodedObject? = nil) {
            self.object = object
            var members: [String] = []
            members.reserveCapacity(object.count)
            let previousCount = previous?.members.count ?? 0
            for (index, member) in object.members.enumerated() {
                if let previous, index < previousCount, previous.object.members[index] == member {
                    members.append(previous.members[index])
                } else {
                    members.append(Self.encode(member.key, member.value))
                }
            }
            self.members = members
        }

        /// `"name":value` as JSON text (byte for byte what `JSONC.encode` gives for the member).
        static func encode(_ name: String, _ value: JSONValue) -> String {
            var key: [UInt8] = []
            JSONTextWriter.appendString(name, to: &key)
            return String(decoding: key, as: UTF8.self) + ":" + JSONC.encode(value)
        }

        /// This object as a change of `old`: the `key` member (the object's id) first, then each member
        /// whose text differs from `old`'s, then `"name":null` for each member `old` has and this one has
        /// not. `nil` when nothing differs.
        func changes(since old: EncodedObject, key: String) -> String? {
            var parts: [String] = []
            var idMember: String?
            let sameShape = old.object.count == object.count
                && zip(old.object.members, object.members).allSatisfy { $0.key == $1.key }
            for (index, member) in object.members.enumerated() {
                if member.key == key {
                    idMember = members[index]
                    continue
                }
                let before = sameShape ? old.members[index] : old.object.members.firstIndex { $0.key == member.key }.map { old.members[$0] }
                if before != members[index] { parts.append(members[index]) }
            }
            if !sameShape {
                for member in old.object.members where member.key != key && object[member.key] == nil {
                    parts.append(Self.encode(member.key, .null))
                }
            }
            guard !parts.isEmpty, let idMember else { return nil }
            return "{" + ([idMember] + parts).joined(separator: ",") + "}"
        }
    }

    /// Objects from a name to a count whose names come and go (a mix's channels, not-ready reasons): in
    /// a change (``objectChanges(_:since:)``) they change name by name, a name that went as `null`.
    static let countMaps: Set<String> = ["channel_mix", "reason_mix", "callback_failed_reasons", "not_ready_reasons"]
    /// Lists of scopes with ids (`queue_groups`): while their ids stay the same in the same order, a
    /// change is the list of each element's changes (`{}` for an unchanged one).
    static let mergedLists: Set<String> = ["queue_groups"]

    /// `new` as a change of `old`, the object the client has (docs/protocol.md, "Deltas", revision 3): the
    /// members whose values differ, in `new`'s order; of a member that is an object in both, only its
    /// changes, at any depth (a count map name by name, ``countMaps``; a list of ``mergedLists`` element
    /// by element). `nil` when the two differ in shape anywhere (other members, a window more or less,
    /// other ids in a merged list): the client needs the whole payload. Empty when nothing differs.
    static func objectChanges(_ new: JSONObject, since old: JSONObject) -> JSONObject? {
        guard new.count == old.count else { return nil }
        var changed: [(String, JSONValue)] = []
        for (before, after) in zip(old.members, new.members) {
            guard before.key == after.key else { return nil }
            guard before.value != after.value else { continue }
            switch (before.value, after.value) {
            case (.object(let was), .object(let now)):
                if countMaps.contains(after.key) {
                    changed.append((after.key, .object(countChanges(now, since: was))))
                } else {
                    guard let inner = objectChanges(now, since: was) else { return nil }
                    changed.append((after.key, .object(inner)))
                }
            case (.array(let was), .array(let now)) where mergedLists.contains(after.key):
                guard was.count == now.count else { return nil }
                var elements: [JSONValue] = []
                for (element, previous) in zip(now, was) {
                    guard let object = element.objectValue, let before = previous.objectValue, object["id"] == before["id"],
                          let inner = objectChanges(object, since: before)
                    else { return nil }
                    elements.append(.object(inner))
                }
                changed.append((after.key, .array(elements)))
            default:
                changed.append((after.key, after.value))
            }
        }
        return JSONObject(distinctKeys: changed)
    }

    /// A count map as a change of `old`: each name whose count is new or differs, then each name `old` has
    /// and `new` has not, as `null`.
    static func countChanges(_ new: JSONObject, since old: JSONObject) -> JSONObject {
        var changed: [(String, JSONValue)] = []
        for member in new.members where old[member.key] != member.value { changed.append((member.key, member.value)) }
        for member in old.members where new[member.key] == nil { changed.append((member.key, .null)) }
        return JSONObject(distinctKeys: changed)
    }

    /// `list` as edits of `old`, the list the client has: each element of `list` equal to one of `old`
    /// is that element's index in `old` (each index used once), any other element is itself as `json`
    /// gives it. `id` groups the candidates (elements with different ids are never equal).
    static func listEdits<Element: Equatable>(
        _ list: [Element], from old: [Element], id: (Element) -> String, json: (Element) -> JSONValue
    ) -> JSONValue {
        var candidates: [String: [Int]] = [:]
        candidates.reserveCapacity(old.count)
        for (index, element) in old.enumerated() { candidates[id(element), default: []].append(index) }
        var edits: [JSONValue] = []
        edits.reserveCapacity(list.count)
        for element in list {
            let key = id(element)
            if let position = candidates[key]?.firstIndex(where: { old[$0] == element }) {
                edits.append(.int(candidates[key]!.remove(at: position)))
            } else {
                edits.append(json(element))
            }
        }
        return .array(edits)
    }
}
