// The exact signatures of the methods whose arguments cross as raw JavaScript values: they
// must be typed precisely in the generated .d.ts, not `any`.

import { SessionKeeper } from "../../pkg/session_keeper.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<_T extends true>(): void {}

export async function signatures(keeper: SessionKeeper): Promise<void> {
  // `init` of fetch is optional, like the global fetch's, and the result is a Response.
  const response: Response = await keeper.fetch("https://api.example.com/me");
  void response;
  assertType<Equal<Parameters<SessionKeeper["fetch"]>, [input: RequestInfo | URL, init?: RequestInit | null]>>();
  assertType<Equal<ReturnType<SessionKeeper["fetch"]>, Promise<Response>>>();
  assertType<Equal<ReturnType<SessionKeeper["logout"]>, Promise<void>>>();
  assertType<Equal<SessionKeeper["user"], unknown>>();

  // @ts-expect-error a token is a string
  keeper.setSession(42);
  // @ts-expect-error an address is a string
  keeper.disconnectWallet({ address: "0x1" });
}
