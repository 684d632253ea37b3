// Commander actions of the CLI: run a command with commander's arguments, record its exit code.
type SetExit = (code: number) => void;

export type ActionRunner = <A extends unknown[]>(fn: (...args: A) => Promise<number> | number) => (...args: A) => Promise<void>;

export function actionRunner(setExit: SetExit): ActionRunner {
  return (fn) =>
    async (...args) => {
      setExit(await fn(...args));
    };
}
