// The one React API the type tests call (the real signature of @types/react's
// useSyncExternalStore). session-keeper's react.d.ts imports nothing from React, so a consumer
// needs no @types/react to type-check `useSession`; this shim only serves the bare
// `useSyncExternalStore(keeper.subscribe, keeper.getSnapshot)` probe in react.ts.
declare module "react" {
  export function useSyncExternalStore<Snapshot>(
    subscribe: (onStoreChange: () => void) => () => void,
    getSnapshot: () => Snapshot,
    getServerSnapshot?: () => Snapshot,
  ): Snapshot;
}
