// One line of the benchmark's table.
export interface Row {
  measure: string;
  value: string;
  ratio?: string;
  target?: string;
  ok?: boolean;
}
