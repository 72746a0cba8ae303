/**
 * The script first runs `nginx -t` (its output on stderr and exit 65 when the configuration is
 * rejected, nothing reloaded), so a change costs one docker exec, not two.
 *
 * `nginx -s reload` returns as soon as the master has the signal. The master then starts new
 * workers, sleeps 100 ms and only then tells the old ones to stop accepting (ngx_master_process_cycle).
 * In that window an old worker still takes new connections and routes them the old way: a preview
 * smoke test could reach the wrong color. So the reload runs inside the container as a fixed script
 * that waits until none of the workers that were accepting before the reload still does (their title
 * turns into "worker process is shutting down" or they exit).
 *
 * The script is a constant: nothing from configuration or input is put into it. Its one argument
 * (how many 10 ms polls to allow) travels as a positional parameter of an argv array.
 */
export const NGINX_RELOAD_SCRIPT = `
accepting() {
  for d in /proc/[0-9]*; do
    t=$(tr '\\000' ' ' < "$d/cmdline" 2>/dev/null) || continue
    case "$t" in
      *"shutting down"*) ;;
      "nginx: worker process"*) printf '%s ' "\${d#/proc/}" ;;
    esac
  done
}
if ! out=$(nginx -t 2>&1); then
  printf '%s\n' "$out" >&2
  exit 65
fi
old=$(accepting)
nginx -s reload || exit $?
i=0
while [ "$i" -lt "$1" ]; do
  now=" $(accepting)"
  left=""
  for p in $old; do
    case "$now" in *" $p "*) left="$left $p" ;; esac
  done
  if [ -z "$left" ]; then exit 0; fi
  sleep 0.01
  i=$((i + 1))
done
echo "old nginx workers still accepting after the reload:$left" >&2
exit 75
`;

/** The script's exit code when `nginx -t` rejected the configuration (nothing was reloaded). */
export const NGINX_TEST_FAILED_EXIT = 65;

/** The script's exit code when old workers were still accepting at the end of its polls. */
export const NGINX_OLD_WORKERS_EXIT = 75;

export function nginxReloadArgv(polls: number): string[] {
  return ["sh", "-c", NGINX_RELOAD_SCRIPT, "nginx-reload", String(polls)];
}

/** Exit codes of `docker exec` when the program (here: sh) does not exist in the image. */
export function isMissingShell(exitCode: number, output: string): boolean {
  return (exitCode === 126 || exitCode === 127) && !/nginx/.test(output);
}
