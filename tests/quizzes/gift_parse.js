// Parse GIFT text from stdin with gift-pegjs (its path is argv[2]); print the questions as JSON.
// A syntax error prints the parser's message and location and exits 1.
const parser = require(process.argv[2]);
const text = require("fs").readFileSync(0, "utf8");
try {
  process.stdout.write(JSON.stringify(parser.parse(text)));
} catch (err) {
  const where = err.location ? ` at line ${err.location.start.line}` : "";
  process.stderr.write(`${err.name}: ${err.message}${where}\n`);
  process.exit(1);
}
