// Type shims for the frameworks the READMEs' examples use (no @types/react or vue is installed
// for this suite): the signatures are those of @types/react 19 and Vue 3, reduced to the APIs an
// example plausibly calls. An example calling something missing here fails with "Module 'react'
// has no exported member ..."; add it, with its real signature.

declare module "react" {
  export type Key = string | number | bigint;
  export interface ReactElement<P = unknown, T = unknown> {
    type: T;
    props: P;
    key: string | null;
  }
  export type ReactNode = ReactElement | string | number | bigint | boolean | null | undefined | Iterable<ReactNode> | Promise<ReactNode>;
  export type PropsWithChildren<P = unknown> = P & { children?: ReactNode | undefined };
  export type FC<P = {}> = (props: P) => ReactNode;
  export type FunctionComponent<P = {}> = FC<P>;
  export type JSXElementConstructor<P> = (props: P) => ReactNode;
  export type Dispatch<A> = (value: A) => void;
  export type SetStateAction<S> = S | ((prev: S) => S);
  export type EffectCallback = () => void | (() => void);
  export type DependencyList = readonly unknown[];
  export interface RefObject<T> {
    current: T;
  }
  export interface Context<T> {
    Provider: FC<{ value: T; children?: ReactNode }>;
    Consumer: FC<{ children: (value: T) => ReactNode }>;
  }
  export function useState<S>(initial: S | (() => S)): [S, Dispatch<SetStateAction<S>>];
  export function useState<S = undefined>(): [S | undefined, Dispatch<SetStateAction<S | undefined>>];
  export function useEffect(effect: EffectCallback, deps?: DependencyList): void;
  export function useLayoutEffect(effect: EffectCallback, deps?: DependencyList): void;
  export function useMemo<T>(factory: () => T, deps: DependencyList): T;
  export function useCallback<T extends Function>(callback: T, deps: DependencyList): T;
  export function useRef<T>(initial: T): RefObject<T>;
  export function useRef<T>(initial: T | null): RefObject<T | null>;
  export function useRef<T>(initial: T | undefined): RefObject<T | undefined>;
  export function createContext<T>(defaultValue: T): Context<T>;
  export function useContext<T>(context: Context<T>): T;
  export function use<T>(usable: Promise<T> | Context<T>): T;
  export function useSyncExternalStore<Snapshot>(
    subscribe: (onStoreChange: () => void) => () => void,
    getSnapshot: () => Snapshot,
    getServerSnapshot?: () => Snapshot,
  ): Snapshot;
  export const StrictMode: FC<{ children?: ReactNode }>;
  export const Fragment: FC<{ children?: ReactNode }>;
  export const Suspense: FC<{ children?: ReactNode; fallback?: ReactNode }>;
}

declare module "react-dom/client" {
  export interface Root {
    render(children: import("react").ReactNode): void;
    unmount(): void;
  }
  export function createRoot(container: Element | DocumentFragment): Root;
  export function hydrateRoot(container: Element | Document, initial: import("react").ReactNode): Root;
}

declare module "vue" {
  export interface Ref<T = unknown> {
    value: T;
  }
  export interface ShallowRef<T = unknown> extends Ref<T> {}
  export interface ComputedRef<T = unknown> {
    readonly value: T;
  }
  export function ref<T>(value: T): Ref<T>;
  export function shallowRef<T>(value: T): ShallowRef<T>;
  export function computed<T>(getter: () => T): ComputedRef<T>;
  export function readonly<T extends object>(target: T): Readonly<T>;
  export function onMounted(hook: () => void): void;
  export function onUnmounted(hook: () => void): void;
  export function onBeforeUnmount(hook: () => void): void;
  export function onScopeDispose(fn: () => void): void;
  export function watch(source: unknown, callback: (...args: unknown[]) => void): () => void;
}

// JSX for .tsx examples (jsx: "preserve"), as @types/react declares it. (This file is a script,
// so that the `declare module` blocks above are declarations, not augmentations.)
declare namespace JSX {
  type ElementType = string | import("react").JSXElementConstructor<any>;
  interface Element {
    type: unknown;
    props: any;
    key: string | null;
  }
  interface ElementAttributesProperty {
    props: {};
  }
  interface ElementChildrenAttribute {
    children: {};
  }
  interface IntrinsicAttributes {
    key?: import("react").Key | null | undefined;
  }
  interface IntrinsicElements {
    [element: string]: Record<string, unknown>;
  }
}
