/** A running throwaway cluster: its URL (trust auth, no password) and the folder stopPostgres removes. */
export interface TestPostgres {
  url: string;
  dir: string;
}

export function postgresBinaries(): string | undefined;
export function startPostgres(): Promise<TestPostgres>;
export function stopPostgres(dir: string): void;
