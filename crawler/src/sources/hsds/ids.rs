//! IOP Finder's HSDS ids: UUIDs (RFC 9562 version 8, "custom") made from
//! an entity kind and a listing id, whose last 12 hex digits are the listing
//! id. The export (`iopfinder export --format hsds`, `/hsds/`) makes them;
//! the reader recovers the listing id from them ([`listing_id_from`]), so a
//! program keeps its listing id through an export and a read-back.

/// FNV-1a 64 of `parts` (each followed by a 0 byte) from `basis`.
fn fnv(basis: u64, parts: &[&str]) -> u64 {
    let mut hash = basis;
    for part in parts {
        for byte in part.bytes().chain([0u8]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// A UUID (version 8, lowercase hex) for `parts`; its last 12 hex digits
/// are `tail` when it is 12 hex digits (a listing id), else from the hash.
/// The function is fixed: changing it changes every published HSDS id.
pub fn uuid(parts: &[&str], tail: Option<&str>) -> String {
    let a = fnv(0xcbf2_9ce4_8422_2325, parts);
    let b = fnv(0x8422_2325_cbf2_9ce4, parts);
    let hex = format!("{a:016x}{b:016x}");
    let tail = match tail {
        Some(t) if t.len() == 12 && t.bytes().all(|c| c.is_ascii_hexdigit()) => t.to_string(),
        _ => hex[20..32].to_string(),
    };
    // version nibble 8; variant bits 10
    let variant = ["8", "9", "a", "b"][(b & 3) as usize];
    format!(
        "{}-{}-8{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..15],
        variant,
        &hex[15..18],
        tail
    )
}

/// The id of the listing's entity `kind` (`service`, `organization`,
/// `location`, `service_at_location`, `address`), or of a part of it
/// (`key`: `phone/main`, `schedule/18:00-21:00`...).
pub fn entity_id(kind: &str, listing_id: &str, key: &str) -> String {
    uuid(&["iopfinder-hsds", kind, listing_id, key], Some(listing_id))
}

/// The listing id an entity id would have been made from (its last 12 hex
/// digits), when `id` is shaped like one of ours; any UUID is, so this
/// alone does not say the id is ours (see [`listing_id_from`]).
pub fn listing_id_of(id: &str) -> Option<&str> {
    let id = id.trim();
    (id.len() == 36 && id.is_ascii())
        .then(|| &id[24..])
        .filter(|tail| iop_index::listing::is_listing_id(tail))
}

/// The listing id `id` was made from as the id of entity `kind` (for
/// example `service_at_location`), when it is one of ours: the id made
/// again from its last 12 hex digits is `id` itself. Another publisher's
/// UUID answers `None`.
pub fn listing_id_from(kind: &str, id: &str) -> Option<String> {
    let tail = listing_id_of(id)?;
    (entity_id(kind, tail, "") == id.trim()).then(|| tail.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_ids_give_back_their_listing_id_and_others_do_not() {
        let id = entity_id("service_at_location", "ee370b40424e", "");
        assert_eq!(
            listing_id_from("service_at_location", &id).as_deref(),
            Some("ee370b40424e")
        );
        // the same id as another kind's is not ours
        assert_eq!(listing_id_from("service", &id), None);
        // a UUID ending in 12 hex digits, not made by us
        assert_eq!(
            listing_id_from("service", "3f2c6a1e-9b7d-4c2a-8e5f-ee370b40424e"),
            None
        );
        assert_eq!(listing_id_from("service", "not-an-id"), None);
    }
}
