/** What `validate` can check; its own module so that the CLI's help lists them without loading the checks. */
export const INPUT_KINDS = [
  'dataset',
  'beir',
  'run',
  'qrels',
  'queries',
  'corpus',
  'simple',
  'config',
  'policy',
  'baseline',
  'router-config',
  'router-policy',
] as const;
export type InputKind = (typeof INPUT_KINDS)[number];
