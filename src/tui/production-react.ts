/**
 * React (and with it Ink) picks its development or production build from NODE_ENV when it is first
 * imported. The development build records owner stacks and runs checks on every render: several
 * times the CPU and garbage of the production one, which an always-open dashboard cannot afford.
 * app.tsx imports this module before Ink; an explicit NODE_ENV (tests set "test") is kept.
 */
process.env.NODE_ENV ??= "production";

export {};
