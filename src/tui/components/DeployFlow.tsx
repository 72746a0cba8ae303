import { Box } from "ink";
import { useState } from "react";
import type { StackStatus } from "../../engine/status-model.js";
import { useTheme } from "../contexts/theme-context.js";
import { previewDeploy } from "../state/deploy-plan.js";
import { VERSION_PATTERN, VERSION_RULE } from "../../engine/operations/deploy.js";
import { KeyBar } from "./KeyBar.js";
import { TextInput } from "./TextInput.js";
import { Txt } from "./Txt.js";
import { useKeys } from "../hooks/use-keys.js";

interface DeployFlowProps {
  status: StackStatus;
  width: number;
  /** Shown in the title: "Deploy" or "Verify a deploy". */
  title: string;
  onStart(version: string): void;
  onCancel(): void;
}

/**
 * The first part of a deploy: ask the version, show the plan derived from the status, confirm.
 * The running part (phases, confirmation before the switch, result) is the OperationView.
 */
export function DeployFlow({ status, width, title, onStart, onCancel }: DeployFlowProps) {
  const theme = useTheme();
  const [version, setVersion] = useState<string | null>(null);
  const preview = version ? previewDeploy(status, version) : null;

  useKeys(
    (input, key) => {
      if (!version) return;
      if (input === "y" || input === "Y") onStart(version);
      else if (input === "n" || input === "N" || key.escape) onCancel();
    },
    version !== null,
  );

  return (
    <Box flexDirection="column" width={width}>
      <Box flexDirection="column" borderStyle="round" borderColor={theme.color("accent")} paddingX={1} width={width}>
        <Txt bold>{title}</Txt>
        {!version ? (
          <TextInput
            label="Version to deploy:"
            placeholder="e.g. v2"
            validate={(v) => (VERSION_PATTERN.test(v) ? null : VERSION_RULE)}
            onSubmit={setVersion}
            onCancel={onCancel}
          />
        ) : preview ? (
          <>
            <Txt>
              {"Deploy "}
              <Txt bold>{version}</Txt>
              {" to "}
              <Txt tone={preview.target} bold>
                {preview.target}
              </Txt>
              :
            </Txt>
            {preview.steps.map((s, i) => (
              <Box key={s}>
                <Box width={5} flexShrink={0}>
                  <Txt>{`  ${i + 1}.`}</Txt>
                </Box>
                <Txt wrap="wrap">{s}</Txt>
              </Box>
            ))}
            {preview.blockers.map((b) => (
              <Box key={b}>
                <Box width={5} flexShrink={0}>
                  <Txt tone="error">{"  !"}</Txt>
                </Box>
                <Txt tone="error" wrap="wrap">
                  {b}
                </Txt>
              </Box>
            ))}
            <Txt tone="muted">You will be asked again before live traffic moves.</Txt>
            <Txt bold>Start the deploy? (y/n)</Txt>
          </>
        ) : null}
      </Box>
      <KeyBar keys={version ? [["y", "start"], ["n", "cancel"]] : [["Enter", "next"], ["Esc", "cancel"]]} width={width} />
    </Box>
  );
}
