// session-keeper shell: the one error class the SDK throws or rejects with, and the helpers that
// throw it.

/** Every error the SDK throws or rejects with. */
export class SessionKeeperError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "SessionKeeperError";
    this.code = code;
  }
}

export const fail = (code, message) => {
  throw new SessionKeeperError(code, message);
};

export const mustBeFunction = (listener) =>
  typeof listener === "function" || fail("invalid_argument", "invalid argument: a listener must be a function");

export const destroyedError = () => new SessionKeeperError("destroyed", "this SessionKeeper was destroyed");
