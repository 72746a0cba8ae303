export { maskSecrets, maskInText, isSecretName, secretValues, maskUrlPasswords, MASK } from "./mask.js";
export { createMasker, maskStreamWrites, type Masker } from "./masker.js";
