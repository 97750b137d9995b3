/**
 * Characters that must not appear literally in JSON placed inside an HTML `<script>` element: `<` and `>`
 * (so `</script>` cannot end the element and `<!--` cannot switch the parser into its escaped states), `&`
 * (harmless in script data, escaped so the text reads the same in any HTML context), and U+2028/U+2029
 * (line terminators to pre-2019 JavaScript, should the block ever be evaluated as code).
 */
const UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * JSON text safe to put between `<script type="application/json">` and `</script>`. The escapes are JSON's
 * own (`\u003c`…), which only occur inside strings, so `JSON.parse` of the block's text gives back `value`.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    UNSAFE,
    (char) => `\\u${(char.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}
