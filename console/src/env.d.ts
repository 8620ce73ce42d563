/// <reference types="vite/client" />

declare module 'virtual:potok-components' {
  /** Every registered component: its Bpium display names and its kind (see `components/index.ts`). */
  const catalog: Record<string, { displayName: { ru: string; en: string }; kind: 'control' | 'sync' | 'async' | 'boundary' }>
  export default catalog
}
