// What the READMEs' TypeScript examples use without defining it: the surrounding app. Global
// declarations (this file is a script, not a module), visible to every extracted block; a block
// that defines the same name itself (`const keeper = await createSessionKeeper(...)`) shadows
// them. When an example calls a new app function, declare it here, as loosely as app code is:
// what is checked is the examples' use of session-keeper, not the app around it.

/** The example app's user object. */
interface AppUser {
  id: string;
  name: string;
  email: string;
}

/** A keeper created elsewhere in the app (examples that show one call use it). */
declare const keeper: import("session-keeper").SessionKeeper<AppUser>;
/** The JWT the app's sign-in flow returned. */
declare const jwt: string;
declare const token: string;
declare const user: AppUser;
declare const ENVIRONMENT_ID: string;

// The app's own UI and flows.
declare function render(...args: unknown[]): void;
declare function renderSignedIn(...args: unknown[]): void;
declare function renderSignedOut(...args: unknown[]): void;
declare function showSignIn(...args: unknown[]): void;
declare function showSignedIn(...args: unknown[]): void;
declare function showSignedOut(...args: unknown[]): void;
declare function showMessage(...args: unknown[]): void;
declare function showToast(...args: unknown[]): void;
declare function showError(...args: unknown[]): void;
declare function askToSignInAgain(...args: unknown[]): void;
declare function redirectToSignIn(...args: unknown[]): void;
declare function signIn(...args: unknown[]): Promise<{ jwt: string; user: AppUser }>;
declare function refreshToken(...args: unknown[]): Promise<string>;
declare function reauthenticate(...args: unknown[]): Promise<string>;

// Bundler and framework globals.
interface ImportMetaEnv {
  readonly [key: string]: string | undefined;
}
interface ImportMeta {
  readonly env: ImportMetaEnv;
}
declare const process: { readonly env: Record<string, string | undefined> };
