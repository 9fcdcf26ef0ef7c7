// session-keeper shell: the document-peers registry — the keepers of one document telling each
// other what they wrote to their shared storage.

/** The keepers of this document on one storage area and environment, across copies of the
 * SDK: a browser tells a document nothing of its own storage writes, so its keepers tell each
 * other (each keeper is a function that hears what another one wrote). Made on first use:
 * importing the module adds no global. */
function documentKeepers(key) {
  const all = (globalThis[Symbol.for("session-keeper.keepers")] ??= new Map());
  return all.get(key) ?? all.set(key, new Set()).get(key);
}

/** `[catchUp, tell, leave]` of one keeper among its document's others on the storage area `key`
 * (null: memory, no peers): `tell(told)` passes on what it wrote; `catchUp(deferred)` calls
 * `read(hint, deferred)` when another one wrote since (`gone()`: the keeper was destroyed);
 * `leave()` on destroy. */
export function documentPeers(key, read, gone) {
  // What other keepers of this document wrote since this one last read storage: read again
  // before the next read or call, and from a microtask (for the listeners).
  let heard = null;
  const hear = (told) => {
    if (heard === null) queueMicrotask(() => !gone() && catchUp(false));
    heard = told || heard || ""; // a tombstone says why a session ended: keep it over a later write
  };
  function catchUp(deferred = true) {
    if (heard === null) return;
    const hint = heard || undefined;
    heard = null;
    read(hint, deferred);
  }
  const peers = key && documentKeepers(key);
  peers?.add(hear);
  return [
    catchUp,
    (told) => {
      for (const peer of peers ?? []) peer !== hear && peer(told);
    },
    () => peers?.delete(hear),
  ];
}
