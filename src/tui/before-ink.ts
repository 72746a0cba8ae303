/**
 * Ink and React read the environment once, when they are first imported; app.tsx imports this
 * module before them.
 * - React picks its development or production build from NODE_ENV. The development build records
 *   owner stacks and runs checks on every render: several times the CPU and garbage of the
 *   production one, which an always-open dashboard cannot afford. An explicit NODE_ENV (tests set
 *   "test") is kept.
 * - Ink writes only its last frame, at exit, when it believes it runs in CI (CI=true). The dashboard
 *   is only ever opened on a terminal, where the operator must see it live — even in a shell that
 *   happens to export CI.
 */
process.env.NODE_ENV ??= "production";
delete process.env.CI;

export {};
