//! A bounded set of ids, each remembered only until a deadline: the receiver's memory of which
//! message and event ids it has already seen.
//!
//! The receiver refuses deliveries whose timestamp is outside its tolerance, so an id only has
//! to be remembered until its delivery's timestamp leaves the tolerance window; after that any
//! replay is refused by its timestamp anyway. That makes the set bounded in time; the capacity
//! bounds it in size even when a sender with the secret floods it.

use std::collections::{BTreeSet, HashMap};

use time::OffsetDateTime;

/// Ids with the moment each may be forgotten.
#[derive(Debug)]
pub struct RecentIds {
    capacity: usize,
    deadlines: HashMap<String, OffsetDateTime>,
    by_deadline: BTreeSet<(OffsetDateTime, String)>,
}

impl RecentIds {
    /// An empty set holding at most `capacity` ids (at least one).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            deadlines: HashMap::new(),
            by_deadline: BTreeSet::new(),
        }
    }

    /// Forgets every id whose deadline is at or before `now`.
    pub fn forget_expired(&mut self, now: OffsetDateTime) {
        while let Some((deadline, _)) = self.by_deadline.first() {
            if *deadline > now {
                break;
            }
            if let Some((_, id)) = self.by_deadline.pop_first() {
                self.deadlines.remove(&id);
            }
        }
    }

    /// Whether `id` is remembered.
    pub fn contains(&self, id: &str) -> bool {
        self.deadlines.contains_key(id)
    }

    /// Remembers `id` until `forget_at` (or longer, if it was already remembered for longer).
    /// Returns whether it was new. When full, the id closest to its deadline makes room.
    pub fn insert(&mut self, id: &str, forget_at: OffsetDateTime) -> bool {
        if let Some(&previous) = self.deadlines.get(id) {
            if forget_at > previous {
                self.by_deadline.remove(&(previous, id.to_owned()));
                self.by_deadline.insert((forget_at, id.to_owned()));
                self.deadlines.insert(id.to_owned(), forget_at);
            }
            return false;
        }
        if self.deadlines.len() >= self.capacity {
            if let Some((_, oldest)) = self.by_deadline.pop_first() {
                self.deadlines.remove(&oldest);
            }
        }
        self.deadlines.insert(id.to_owned(), forget_at);
        self.by_deadline.insert((forget_at, id.to_owned()));
        true
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.deadlines.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.deadlines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn remembers_until_the_deadline() {
        let now = OffsetDateTime::now_utc();
        let mut ids = RecentIds::new(10);
        assert!(ids.insert("a", now + Duration::minutes(5)));
        assert!(
            !ids.insert("a", now + Duration::minutes(1)),
            "already known"
        );
        ids.forget_expired(now + Duration::minutes(4));
        assert!(ids.contains("a"));
        ids.forget_expired(now + Duration::minutes(5));
        assert!(!ids.contains("a"));
        assert!(ids.is_empty());
    }

    #[test]
    fn a_later_deadline_extends_the_memory() {
        let now = OffsetDateTime::now_utc();
        let mut ids = RecentIds::new(10);
        ids.insert("a", now + Duration::minutes(1));
        ids.insert("a", now + Duration::minutes(3));
        ids.forget_expired(now + Duration::minutes(2));
        assert!(ids.contains("a"));
        assert_eq!(ids.len(), 1);
    }

    #[test]
    fn never_holds_more_than_its_capacity() {
        let now = OffsetDateTime::now_utc();
        let mut ids = RecentIds::new(3);
        for i in 0..100 {
            ids.insert(&format!("id-{i}"), now + Duration::seconds(i));
            assert!(ids.len() <= 3);
        }
        // The ones closest to their deadline made room; the newest are kept.
        assert!(ids.contains("id-99") && ids.contains("id-98") && ids.contains("id-97"));
        assert!(!ids.contains("id-0"));
    }
}
