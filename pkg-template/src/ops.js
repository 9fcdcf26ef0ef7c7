// session-keeper shell: the operations of the core's one entry point, `Core.call(op, a, b, c, x,
// y, now)`, numbered as in src/browser/core.rs (`mod op`), which also says what `a`, `b`, `c`, `x`
// and `y` carry. `make pkg` checks that the two lists agree (scripts/check_ops.mjs).

export const SNAPSHOT = 0;
export const SET_SESSION = 1;
export const SET_USER = 2;
export const CONNECT_WALLET = 3;
export const DISCONNECT_WALLET = 4;
export const LOGOUT = 5;
export const CHECK = 6;
export const STORAGE_CHANGED = 7;
export const WAKE = 8;
export const POLL = 9;
export const ANSWER_CHECK = 10;
export const ANSWER_FETCH = 11;
export const SERVER_TIME = 12;
