export { maskSecrets, maskInText, isSecretName, secretValues, maskUrlPasswords, MASK } from "./mask.js";
