// Signatures the generated .d.ts still types as `any` (wasm-bindgen's default for a
// `JsValue` parameter or return). Each line below is what the surface should say; today
// this file FAILS to compile — it is the repro for the SDK, not part of `make test`:
//   node_modules/.bin/tsc -p tests/types/tsconfig.signatures.json
// Fix in the SDK with `#[wasm_bindgen(unchecked_param_type = "…")]` /
// `unchecked_return_type = "…"` (wasm-bindgen ≥ 0.2.94), then add this file to tsconfig.json.

import { SessionKeeper } from "../../pkg/session_keeper.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<_T extends true>(): void {}

export async function signatures(keeper: SessionKeeper): Promise<void> {
  // `init` of fetch is optional, like the global fetch's, and the result is a Response.
  const response: Response = await keeper.fetch("https://api.example.com/me");
  void response;
  assertType<Equal<Parameters<SessionKeeper["fetch"]>, [input: RequestInfo | URL, init?: RequestInit]>>();
  assertType<Equal<ReturnType<SessionKeeper["fetch"]>, Promise<Response>>>();
  assertType<Equal<ReturnType<SessionKeeper["logout"]>, Promise<void>>>();
  assertType<Equal<SessionKeeper["user"], unknown>>();

  // @ts-expect-error a token is a string
  keeper.setSession(42);
  // @ts-expect-error an address is a string
  keeper.disconnectWallet({ address: "0x1" });
}
