import type { Command } from "commander";
import type { Io } from "../run-operation.js";
import { registerAdopt } from "./adopt.js";
import { registerDashboard } from "./dashboard.js";
import { registerHistory } from "./history.js";
import { registerOperations } from "./operations.js";
import { registerSmoke } from "./smoke.js";
import { registerStack } from "./stack.js";
import { registerStatus } from "./status.js";
import { registerVerify } from "./verify.js";

export type RegisterCommand = (program: Command, io: Io, setCode: (code: number) => void) => void;

export const commands: RegisterCommand[] = [registerStatus, registerOperations, registerStack, registerSmoke, registerVerify, registerHistory, registerAdopt, registerDashboard];
