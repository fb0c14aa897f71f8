// Targeted schemas: one keyword family each, with instances chosen to sit on the edges where
// a C++ engine is most likely to part ways with ajv (JavaScript numbers, UTF-16 strings,
// JavaScript regular expressions, ajv-formats' exact regexes). The expected verdicts are NOT
// written here: ajv, configured as rjsf configures it, is the oracle; capconf must agree with it.
//
// An instance is a JSON value, or R("text") for text written verbatim (a number literal such as
// 1.0 inside a value, or a whole line, even one that is not JSON).
export class Raw {
  constructor(text) {
    this.text = text;
  }
}
export const R = (text) => new Raw(text);

const D7 = "http://json-schema.org/draft-07/schema#";
const D2019 = "https://json-schema.org/draft/2019-09/schema";
const D2020 = "https://json-schema.org/draft/2020-12/schema";

// ---------------------------------------------------------------------------------------------
// Formats: every format ajv-formats (full mode) defines, rjsf's color and data-url, and some it
// does not know (ignored, since strict is off).
export const FORMAT_SAMPLES = {
  date: ["2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "2024-04-30", "2024-04-31", "2024-13-01",
    "2024-00-10", "2024-01-00", "2024-1-01", "20240101", "2024-01-01T00:00:00Z", "0000-01-01", "99999-01-01",
    "2024-01-01\n", " 2024-01-01", "2024/01/01", "", "２０２４-01-01"],
  time: ["10:00:00", "10:00:00Z", "10:00:00z", "10:00:00.123+01:00", "10:00:00+0100", "10:00:00+01",
    "23:59:60Z", "23:59:60", "22:59:60Z", "24:00:00", "10:60:00", "10:00:61", "10:00", "1:00:00", "10:00:00.Z",
    "10:00:00 Z", "10:00:00+1:00", "10:00:00-25:00", "T10:00:00Z", "10:00:00Z\n", ""],
  "date-time": ["2024-01-01T10:00:00Z", "2024-01-01 10:00:00Z", "2024-01-01t10:00:00z", "2024-01-01\t10:00:00Z",
    "2024-01-01T10:00:00", "2024-02-30T10:00:00Z", "2024-02-29T23:59:60+01:00", "2024-01-01T10:00:00.5-05:30",
    "2024-01-01T25:00:00Z", "2024-01-01TT10:00:00Z", "2024-01-01T10:00:00+05", "2024-01-01T10:00Z",
    "2024-01-01", "2024-01-01T10:00:00.123456789Z", "1937-01-01T12:00:27.87+00:20", ""],
  duration: ["P1D", "PT1H", "P1W", "P1Y2M3DT4H5M6S", "P0D", "PT0S", "P", "PT", "P1DT", "P1.5D", "P1W2D", "1D",
    "PT36H", "P1M", "PT1M", "p1d", "P1Y1W", ""],
  uri: ["https://a.example/x?y=1#z", "http://[::1]:80/", "http://[2001:db8::7]/c=GB?objectClass?one",
    "mailto:x@y.example", "urn:isbn:0451450523", "tel:+1-816-555-1212", "file:///etc/hosts", "https:",
    "/relative/path", "a.example", "//host.example/x", "http://exa mple.com", "http://ünïcode.example/",
    "https://a.example/%zz", "https://a.example/%41", "HTTPS://A.EXAMPLE/", "1http://x", "http://a.example/\\",
    "http://a.example/{x}", "x:", ""],
  "uri-reference": ["https://a.example/x", "/relative/path", "relative", "#frag", "?q=1", "", "\\\\host",
    "//host.example", "http://exa mple.com", "ünï", "a%zz", "a%20b", "#/definitions/x", "x:y"],
  "uri-template": ["http://example.com/{id}", "/users{/id}{?q,lang}", "{+path}/here", "{x:3}", "{x*}", "{",
    "}", "http://example.com/{id", "{x:0}", "{x:10000}", "plain", "", "a b"],
  url: ["https://a.example/x", "http://localhost:8080/", "ftp://files.example.com/a.txt", "http://10.0.0.1/",
    "http://192.168.1.1", "http://8.8.8.8/", "http://1.2.3.4:99999/", "http://a.b", "http://ünï.example/x",
    "mailto:x@y.example", "https://a.example/ space", "http://user:pw@a.example/", "http://a.example:80",
    "HTTP://A.EXAMPLE", "https://-a.example/", ""],
  email: ["a@b.example", "a.b+c@sub.b.example", "x@localhost", "a@@b.example", "a@b", "a..b@c.example",
    ".a@b.example", "a.@b.example", "A@B.EXAMPLE", "a@b-.example", "a@-b.example", "\"q\"@b.example",
    "ü@b.example", "a@b.example.", "a b@c.example", "a@b.c", "a@b.example\n", ""],
  hostname: ["example.com", "a.b.c", "localhost", "xn--nxasmq6b.example", "-a.example", "a-.example",
    "a..b", "a.example.", "a_b.example", "ünï.example", "1.2.3.4", "a".repeat(63) + ".com",
    "a".repeat(64) + ".com", ("abcdefghi." .repeat(26)) + "com", "", "."],
  ipv4: ["127.0.0.1", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.02.03.04", "001.2.3.4",
    "1.2.3.4/24", " 1.2.3.4", "1.2.3.4\n", "０.0.0.0", ""],
  ipv6: ["::1", "::", "2001:db8::1", "2001:DB8::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.4",
    "::ffff:256.2.3.4", "1::2::3", "fe80::1%eth0", "12345::", "1:2:3:4:5:6:7::", ":1", ""],
  regex: ["^a+$", "[a-z", "(?<n>x)\\k<n>", "\\p{L}", "a\\Z", "a\\\\Z", "(?i)x", "x{2,1}", "\\", "[]", "a**",
    "\\u{1F600}", ""],
  uuid: ["123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000",
    "urn:uuid:123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000",
    "123e4567-e89b-12d3-a456-42661417400", "g23e4567-e89b-12d3-a456-426614174000", "{123e4567-e89b-12d3-a456-426614174000}", ""],
  "json-pointer": ["", "/", "/a/b", "/a~0b", "/a~1b", "/a~2b", "a/b", "/~", "/ü", "#/a"],
  "json-pointer-uri-fragment": ["#", "#/", "#/a/b", "#/a~0b", "#/a%20b", "#/a b", "/a", "#/%zz", "#/ü"],
  "relative-json-pointer": ["0", "1/a", "0#", "2/a~1b", "-1", "01", "a", "", "0/", "10#"],
  byte: ["", "QQ==", "QUI=", "QUJD", "QUJDRA==", "Q", "QQ=", "Q===", "QUJD\nQUJD", "QU JD", "Zm9v!", "QUJDRA"],
  password: ["", "hunter2"],
  binary: ["", "\u0000\u0001"],
  color: ["#fff", "#FFF", "#ffffff", "fff", "ffffff", "#ffff", "#fffffff", "#ggg", "red", "Red", "aqua",
    "orange", "rebeccapurple", "rgb(0,0,0)", "rgb( 255 , 255 , 255 )", "rgb(256,0,0)", "rgb(10%,20%,100%)",
    "rgb(101%,0%,0%)", "rgba(0,0,0,1)", "#fff ", "#fff\n", ""],
  "data-url": ["data:text/plain;base64,SGVsbG8=", "data:;base64,", "data:image/png;name=a.png;base64,iVBOR",
    "data:text/plain,hello", "data:Text/Plain;base64,SGVsbG8=", "data:image/svg+xml;base64,PHN2Zz4=",
    "data:text/plain;base64,a\nb", "DATA:text/plain;base64,", "data:text/plain;charset=utf-8;base64,eA==", ""],
  // not in ajv-formats: with strict off ajv ignores them
  "idn-email": ["bad", "ü@b.example"],
  iri: ["not an iri", "https://ü.example/"],
  "made-up-format": ["anything"],
  "iso-time": ["not a time"],
};
export const NUMBER_FORMAT_SAMPLES = {
  int32: [0, 2147483647, 2147483648, -2147483648, -2147483649, 1.5, R("1.0"), R("1e9"), R("3e9"), "12"],
  int64: [0, 9007199254740991, R("9223372036854775807"), R("-9223372036854775808"), 1.5, R("2.0"), "12"],
  float: [1.5, 0, R("1e300"), "1.5"],
  double: [1.5, -0.0, R("1e-300"), "x"],
};

function formatSchema(dollarSchema) {
  const properties = {};
  for (const f of Object.keys(FORMAT_SAMPLES)) properties[f] = { format: f };
  for (const f of Object.keys(NUMBER_FORMAT_SAMPLES)) properties[f] = { format: f };
  const s = { type: "object", properties };
  if (dollarSchema) s.$schema = dollarSchema;
  return s;
}
function formatInstances() {
  const out = [];
  for (const [f, vals] of Object.entries(FORMAT_SAMPLES)) for (const v of vals) out.push({ [f]: v });
  for (const [f, vals] of Object.entries(NUMBER_FORMAT_SAMPLES)) for (const v of vals) out.push({ [f]: v });
  // formats only look at their own type
  out.push({ email: 5, date: null, uri: ["x"], color: {}, int32: "1" });
  // several bad at once
  out.push({ date: "x", time: "x", "date-time": "x", uri: "x", email: "x", ipv4: "x", color: "x" });
  return out;
}

// ---------------------------------------------------------------------------------------------
export const TARGETED = [
  { name: "formats-draft7", schema: formatSchema(D7), instances: formatInstances() },
  { name: "formats-draft7-annotate", schema: formatSchema(D7), instances: formatInstances(), args: ["--formats", "annotate"] },
  { name: "formats-2020-12", schema: formatSchema(D2020), instances: formatInstances() },
  { name: "formats-2020-12-annotate", schema: formatSchema(D2020), instances: formatInstances(), args: ["--formats", "annotate"] },
  {
    // ajv-formats adds these keywords too (addFormats with its default {keywords: true})
    name: "format-limits",
    schema: {
      $schema: D7,
      properties: {
        d: { type: "string", format: "date", formatMinimum: "2024-01-01", formatExclusiveMaximum: "2025-01-01" },
        t: { type: "string", format: "time", formatMaximum: "12:00:00" },
      },
    },
    instances: [{ d: "2024-06-01" }, { d: "2023-12-31" }, { d: "2025-01-01" }, { d: "2024-01-01" }, { d: "bad" },
      { t: "11:59:59" }, { t: "12:00:00" }, { t: "12:00:01Z" }, { t: "x" }],
  },

  // -------------------------------------------------------------------------------------------
  {
    name: "pattern-unicode-anchors",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        anchored: { type: "string", pattern: "^abc$" },
        unanchored: { type: "string", pattern: "abc" },
        ascii: { type: "string", pattern: "^[a-z]+$" },
        letters: { type: "string", pattern: "^\\p{L}+$" },
        upper: { type: "string", pattern: "^\\p{Lu}" },
        greek: { type: "string", pattern: "^\\p{Script=Greek}+$" },
        dot: { type: "string", pattern: "^.$" },
        space: { type: "string", pattern: "^\\s$" },
        digits: { type: "string", pattern: "^\\d+$" },
        word: { type: "string", pattern: "^\\w+$" },
        boundary: { type: "string", pattern: "\\bfoo\\b" },
        astral_range: { type: "string", pattern: "^[😀-😂]$" },
        escape_bmp: { type: "string", pattern: "^\\u00e9$" },
        escape_astral: { type: "string", pattern: "^\\u{1F600}$" },
        lookahead: { type: "string", pattern: "^(?=.*\\d)(?=.*[a-z]).{8,}$" },
        backref: { type: "string", pattern: "^(\\w)\\1$" },
        named_group: { type: "string", pattern: "^(?<y>\\d{4})-\\k<y>$" },
        nested_quant: { type: "string", pattern: "^(a+)+$" },
        alternation: { type: "string", pattern: "^cat|dog$" },
        dollar_mid: { type: "string", pattern: "a$|^b" },
        hex_color: { type: "string", pattern: "^#[0-9A-Fa-f]{6}$" },
        domain: { type: "string", pattern: "^[a-zA-Z0-9][a-zA-Z0-9-_.]*\\.[a-zA-Z]{2,}$" },
        ip: { type: "string", pattern: "^(?:[0-9]{1,3}\\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?$" },
        repo: { type: "string", pattern: "^[a-zA-Z0-9-]+/[a-zA-Z0-9-_.]+$" },
        empty: { type: "string", pattern: "" },
        slash: { type: "string", pattern: "^a/b$" },
      },
    },
    instances: [
      { anchored: "abc" }, { anchored: "abc\n" }, { anchored: "\nabc" }, { anchored: "xabc" }, { anchored: "ABC" },
      { unanchored: "xxabcxx" }, { unanchored: "ab" },
      { ascii: "hello" }, { ascii: "héllo" }, { ascii: "" },
      { letters: "héllo" }, { letters: "日本語" }, { letters: "abc1" }, { letters: "Ωμέγα" }, { letters: "😀" },
      { upper: "Émile" }, { upper: "émile" }, { greek: "Ωμέγα" }, { greek: "Omega" },
      { dot: "a" }, { dot: "😀" }, { dot: "é" }, { dot: "e\u0301" }, { dot: "\n" }, { dot: "\r" }, { dot: "\u2028" },
      { dot: "\u2029" }, { dot: "\u0085" }, { dot: "" }, { dot: "ab" },
      { space: " " }, { space: "\t" }, { space: "\u00a0" }, { space: "\ufeff" }, { space: "\u2003" },
      { space: "\u0085" }, { space: "\u3000" }, { space: "\u180e" }, { space: "\v" }, { space: "\f" }, { space: "x" },
      { digits: "0123" }, { digits: "١٢٣" }, { digits: "１２" }, { digits: "12a" },
      { word: "abc_1" }, { word: "é" }, { word: "ſ" }, { word: "a-b" },
      { boundary: "foo" }, { boundary: "éfoo" }, { boundary: "xfoo" }, { boundary: "foo-bar" },
      { astral_range: "😁" }, { astral_range: "😃" }, { astral_range: "\ud83d\ude00" },
      { escape_bmp: "é" }, { escape_bmp: "e\u0301" }, { escape_astral: "😀" }, { escape_astral: "😁" },
      { lookahead: "abcdefg1" }, { lookahead: "abcdefgh" }, { lookahead: "a1" },
      { backref: "aa" }, { backref: "ab" }, { named_group: "2024-2024" }, { named_group: "2024-2025" },
      { nested_quant: "aaaaaaaaaaaaaaaaaa" }, { nested_quant: "aaaaaaaaaaaaaaaa!" },
      { alternation: "catx" }, { alternation: "xdog" }, { alternation: "xcatx" },
      { dollar_mid: "xa" }, { dollar_mid: "bx" }, { dollar_mid: "xa\n" },
      { hex_color: "#3B82F6" }, { hex_color: "#3b82f6\n" }, { hex_color: "#3B82F" }, { hex_color: "3B82F6" },
      { domain: "acme.example" }, { domain: "my_site.example" }, { domain: "a-b.example" }, { domain: "localhost" },
      { domain: "acme.example\n" }, { domain: "-acme.example" }, { domain: "acme.e" }, { domain: "ünï.example" },
      { domain: "acme.example:8080" }, { domain: "*.acme.example" }, { domain: "https://acme.example" },
      { ip: "203.0.113.7" }, { ip: "999.1.1.1/99" }, { ip: "1.2.3.4/" }, { ip: "::1" }, { ip: "1.2.3.4\n" },
      { ip: "1.2.3.4/255" }, { ip: "١.2.3.4" },
      { repo: "acme/widget.js" }, { repo: "acme/widget/js" }, { repo: "ac_me/widget" }, { repo: "acme/wid get" },
      { empty: "" }, { empty: "anything" }, { slash: "a/b" }, { slash: "a\\/b" },
      { anchored: 5, ascii: null, digits: ["1"] },
      { anchored: "x", ascii: "X", letters: "1", dot: "ab", space: "", digits: "", word: "" },
    ],
  },
  {
    name: "pattern-properties",
    schema: {
      $schema: D7,
      type: "object",
      patternProperties: { "^x-": { type: "string" }, "^\\p{Lu}": { type: "integer" }, "é$": { const: 1 } },
      additionalProperties: false,
    },
    instances: [{ "x-a": "s" }, { "x-a": 1 }, { Ä: 1 }, { Ä: "s" }, { é: 1 }, { "x-é": 1 }, { "x-é": "s" }, { a: 1 },
      { "": 1 }, { "a/b": 1, "c~d": 2 }, { É: 1.0 }, { É: R("1.0") }, {}],
  },

  // -------------------------------------------------------------------------------------------
  {
    name: "numbers-multipleof",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        cents: { type: "number", multipleOf: 0.01 },
        tenths: { type: "number", multipleOf: 0.1 },
        three: { type: "integer", multipleOf: 3 },
        half: { multipleOf: 0.5 },
        one_and_half: { multipleOf: 1.5 },
        tiny: { multipleOf: 1e-10 },
        one: { multipleOf: 1 },
        big: { multipleOf: 1e20 },
      },
    },
    instances: [
      { cents: 19.99 }, { cents: 0.07 }, { cents: 1.005 }, { cents: 0.1 }, { cents: 100 }, { cents: 4.35 },
      { cents: R("19.990") }, { cents: 1e-9 }, { cents: 0.015 }, { cents: 1234567.89 }, { cents: 0.30000000000000004 },
      { cents: -0.01 }, { cents: 1e15 + 0.01 }, { cents: 9007199254740.99 },
      { tenths: 0.3 }, { tenths: 0.7 }, { tenths: 1.1 }, { tenths: 0.35 }, { tenths: R("1e308") }, { tenths: -0.3 },
      { tenths: 0.30000001 }, { tenths: 0.300000001 }, { tenths: 0.3000000001 }, { tenths: 1e-9 }, { tenths: 123456789.1 },
      { three: 9 }, { three: R("9.0") }, { three: R("1e1") }, { three: R("3e2") }, { three: 10 }, { three: -3 }, { three: 0 },
      { half: 2.5 }, { half: 2.25 }, { half: "2" }, { half: R("5e-1") },
      { one_and_half: 4.5 }, { one_and_half: 4 }, { one_and_half: R("1.5e3") },
      { tiny: 0.5 }, { tiny: 1.23456789012 }, { tiny: 1e-11 }, { tiny: 3.3 },
      { one: 1.000000005 }, { one: 1.00000002 }, { one: 1e-9 }, { one: 0.99999999 }, { one: 1e300 }, { one: R("-0") },
      { big: 1e20 }, { big: 3e20 }, { big: 1.5e20 }, { big: 1 }, { big: R("100000000000000000000") },
    ],
  },
  {
    name: "numbers-integers-limits",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        int: { type: "integer" },
        num: { type: "number" },
        range: { type: "integer", minimum: 1, maximum: 3 },
        excl: { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
        nonneg: { minimum: 0 },
        bigmax: { maximum: 9007199254740992 },
        bigmin: { minimum: -9007199254740992 },
        zero: { const: 0 },
        en: { enum: [1, 2.5, "1"] },
      },
    },
    instances: [
      { int: 1 }, { int: R("1.0") }, { int: R("1.5") }, { int: R("1e2") }, { int: R("1E2") }, { int: R("1.0e0") },
      { int: R("-0") }, { int: R("0.1e1") }, { int: R("1e-1") }, { int: R("9007199254740993") },
      { int: R("12345678901234567890") }, { int: R("123456789012345678901234567890") }, { int: R("1e300") },
      { int: R("-9223372036854775808") }, { int: R("18446744073709551615") }, { int: R("18446744073709551616") },
      { int: "1" }, { int: true }, { int: null }, { int: R("1.0000000000000001") }, { int: R("4.9e-324") },
      { num: 1 }, { num: R("1.5") }, { num: R("-0.0") }, { num: R("1E-7") }, { num: "1" },
      { range: 1 }, { range: 3 }, { range: 0 }, { range: 4 }, { range: R("3.0") }, { range: R("3.5") }, { range: 2.5 },
      { excl: 0 }, { excl: 1 }, { excl: 0.5 }, { excl: R("-0") }, { excl: R("1e-300") }, { excl: R("0.99999999999999999") },
      { nonneg: R("-0") }, { nonneg: R("-0.0") }, { nonneg: -1e-300 }, { nonneg: "x" },
      { bigmax: R("9007199254740992") }, { bigmax: R("9007199254740993") }, { bigmax: R("9007199254740994") },
      { bigmax: R("9007199254740992.5") }, { bigmin: R("-9007199254740993") }, { bigmin: R("-9007199254740994") },
      { zero: 0 }, { zero: R("-0") }, { zero: R("0.0") }, { zero: R("0e10") }, { zero: false }, { zero: "0" },
      { en: 1 }, { en: R("1.0") }, { en: R("2.50") }, { en: "1" }, { en: R("25e-1") }, { en: 2 },
    ],
  },
  {
    name: "numbers-draft7-exclusive-and-2020",
    schema: {
      $schema: D2020,
      type: "object",
      properties: {
        excl: { exclusiveMinimum: 1.5, exclusiveMaximum: 2.5 },
        mixed: { minimum: 0, exclusiveMinimum: 0 },
        m: { multipleOf: 0.01, maximum: 1 },
      },
    },
    instances: [{ excl: 1.5 }, { excl: 2 }, { excl: 2.5 }, { mixed: 0 }, { mixed: R("0.0") }, { mixed: 1 },
      { m: 0.99 }, { m: 1.01 }, { m: 0.999 }, { m: R("1.00") }],
  },

  // -------------------------------------------------------------------------------------------
  {
    name: "strings-length",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        max3: { type: "string", maxLength: 3 },
        min2: { type: "string", minLength: 2 },
        both: { minLength: 1, maxLength: 1 },
        zero: { maxLength: 0 },
      },
    },
    instances: [
      { max3: "abc" }, { max3: "abcd" }, { max3: "😀😀😀" }, { max3: "😀😀😀😀" }, { max3: "e\u0301e\u0301" },
      { max3: "👨‍👩‍👧" }, { max3: "🇩🇪" }, { max3: "🇩🇪🇫🇷" }, { max3: "\u0000ab" }, { max3: "é日😀" },
      { max3: "éé😀a" }, { max3: "\u00ad\u200b\u200c" }, { max3: "\ufeffab" }, { max3: "\uffff\uffff\uffff" },
      { min2: "" }, { min2: "a" }, { min2: "😀" }, { min2: "é" }, { min2: "ab" }, { min2: "\u0000" },
      { both: "😀" }, { both: "é" }, { both: "e\u0301" }, { both: "" }, { both: 12 }, { both: "\n" },
      { zero: "" }, { zero: "a" }, { zero: 5 },
      { max3: "abcd", min2: "a", both: "ab", zero: "x" },
    ],
  },

  // -------------------------------------------------------------------------------------------
  {
    name: "combinators-draft7",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        one: { oneOf: [{ type: "integer" }, { type: "number", minimum: 2 }] },
        any: { anyOf: [{ type: "string", maxLength: 2 }, { type: "string", pattern: "^x" }] },
        all: { allOf: [{ type: "string" }, { minLength: 2 }, { maxLength: 3 }] },
        not: { not: { type: "string" } },
        notnot: { not: { not: { const: 1 } } },
        cond: {
          if: { properties: { kind: { const: "email" } }, required: ["kind"] },
          then: { required: ["email"], properties: { email: { format: "email" } } },
          else: { required: ["url"] },
        },
        cond_no_else: { if: { type: "number" }, then: { minimum: 10 } },
        cond_only_else: { if: { type: "number" }, else: { type: "string" } },
        then_only: { then: { const: 1 } },
        nested: {
          oneOf: [
            { type: "object", properties: { a: { anyOf: [{ type: "integer" }, { type: "null" }] } }, required: ["a"] },
            { type: "object", properties: { b: { allOf: [{ minimum: 0 }, { maximum: 5 }] } }, required: ["b"] },
          ],
        },
        bools: { anyOf: [false, { const: "x" }] },
        all_true: { allOf: [true, true] },
        one_false: { oneOf: [false, true] },
        empty_not: { not: {} },
      },
    },
    instances: [
      { one: 1 }, { one: 3 }, { one: 2.5 }, { one: 1.5 }, { one: "x" }, { one: R("3.0") },
      { any: "ab" }, { any: "xyz" }, { any: "abc" }, { any: 1 },
      { all: "ab" }, { all: "a" }, { all: "abcd" }, { all: 1 },
      { not: 1 }, { not: "s" }, { notnot: 1 }, { notnot: 2 },
      { cond: { kind: "email", email: "a@b.example" } }, { cond: { kind: "email", email: "nope" } },
      { cond: { kind: "email" } }, { cond: { kind: "web", url: "x" } }, { cond: { kind: "web" } }, { cond: {} },
      { cond: 5 },
      { cond_no_else: 12 }, { cond_no_else: 5 }, { cond_no_else: "s" },
      { cond_only_else: 5 }, { cond_only_else: "s" }, { cond_only_else: true },
      { then_only: 2 },
      { nested: { a: 1 } }, { nested: { a: null } }, { nested: { a: "x" } }, { nested: { b: 3 } }, { nested: { b: 9 } },
      { nested: { a: 1, b: 3 } }, { nested: {} }, { nested: { a: "x", b: 9 } },
      { bools: "x" }, { bools: "y" }, { all_true: 1 }, { one_false: 1 }, { empty_not: 1 }, { empty_not: null },
      { one: "x", any: 1, all: 1, not: "s", notnot: 2, cond: {}, nested: {} },
    ],
  },
  {
    name: "dependencies-draft7",
    schema: {
      $schema: D7,
      type: "object",
      properties: { credit_card: { type: "number" }, billing_address: { type: "string" }, name: { type: "string" } },
      dependencies: {
        credit_card: ["billing_address", "name"],
        name: { properties: { age: { type: "integer", minimum: 0 } }, required: ["age"] },
        flag: true,
        never: false,
      },
    },
    instances: [{}, { credit_card: 1 }, { credit_card: 1, billing_address: "x" }, { credit_card: 1, billing_address: "x", name: "n", age: 3 },
      { name: "n" }, { name: "n", age: -1 }, { name: "n", age: 1.5 }, { billing_address: "x" }, { flag: 1 }, { never: 1 },
      { credit_card: "x", name: 5 }, [], "credit_card"],
  },
  {
    name: "arrays-draft7",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        tuple: { type: "array", items: [{ type: "string" }, { type: "integer" }], additionalItems: false },
        tuple_more: { items: [{ const: 1 }], additionalItems: { type: "string" } },
        list: { type: "array", items: { type: "integer" }, minItems: 1, maxItems: 3 },
        uniq: { type: "array", uniqueItems: true },
        contains: { type: "array", contains: { type: "integer", minimum: 5 } },
        contains_false: { contains: false },
        items_false: { items: false },
      },
    },
    instances: [
      { tuple: ["a", 1] }, { tuple: ["a"] }, { tuple: [] }, { tuple: ["a", 1, 2] }, { tuple: [1, "a"] }, { tuple: ["a", R("1.0")] },
      { tuple_more: [1, "x", "y"] }, { tuple_more: [2, 3] }, { tuple_more: [] },
      { list: [] }, { list: [1, 2, 3] }, { list: [1, 2, 3, 4] }, { list: [1, "2", 3.5] }, { list: "x" },
      { uniq: [1, 2] }, { uniq: R("[1, 1.0]") }, { uniq: [1, "1"] }, { uniq: [{ a: 1 }, { a: 1 }] },
      { uniq: R('[{"a":1},{"a":1.0}]') }, { uniq: [{ a: 1, b: 2 }, { b: 2, a: 1 }] }, { uniq: [[1], [1]] }, { uniq: [[1], [1, 1]] },
      { uniq: R("[0, -0]") }, { uniq: [null, null] }, { uniq: [true, 1] }, { uniq: [false, 0, "", null, [], {}] },
      { uniq: [1, 2, 1, 2, 1] }, { uniq: R("[1e2, 100]") }, { uniq: [{}, {}] }, { uniq: [] },
      { contains: [1, 5] }, { contains: [1, 2] }, { contains: [] }, { contains: ["5", 4.9] }, { contains: [R("5.0")] },
      { contains_false: [] }, { contains_false: [1] }, { items_false: [] }, { items_false: [1, 2] },
    ],
  },
  {
    name: "objects-draft7",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        closed: { type: "object", properties: { a: { type: "integer" } }, additionalProperties: false },
        typed_extra: { type: "object", properties: { a: {} }, additionalProperties: { type: "string" } },
        names: { type: "object", propertyNames: { pattern: "^[a-z_]+$", maxLength: 5 } },
        counts: { type: "object", minProperties: 1, maxProperties: 2 },
        req: { type: "object", required: ["a", "b", "c"] },
        odd: {
          type: "object",
          properties: { "a/b": { type: "integer" }, "c~d": { type: "integer" }, "": { type: "integer" }, "é ü": { type: "integer" }, "%25": { type: "integer" } },
        },
      },
    },
    instances: [
      { closed: { a: 1 } }, { closed: { a: 1, b: 2, c: 3 } }, { closed: { "x/y": 1, "m~n": 1 } }, { closed: { a: "x", b: 1 } },
      { typed_extra: { a: 1, b: "s" } }, { typed_extra: { a: 1, b: 2, "c/d": 3 } },
      { names: { ab: 1 } }, { names: { AB: 1 } }, { names: { abcdef: 1 } }, { names: { "": 1 } }, { names: { "a b": 1, ok: 1 } },
      { counts: {} }, { counts: { a: 1 } }, { counts: { a: 1, b: 2, c: 3 } },
      { req: {} }, { req: { a: 1 } }, { req: { a: 1, b: 1, c: 1 } }, { req: { "a ": 1 } },
      { odd: { "a/b": "x", "c~d": "y", "": "z", "é ü": "w", "%25": "v" } }, { odd: { "a/b": 1, "c~d": 2, "": 3 } },
    ],
  },
  {
    name: "types-draft7",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        multi: { type: ["string", "null"] },
        intornum: { type: ["integer", "boolean"] },
        nul: { type: "null" },
        arr: { type: "array" },
        obj: { type: "object" },
        bool: { type: "boolean" },
        t: true,
        f: false,
      },
    },
    instances: [{ multi: "s" }, { multi: null }, { multi: 1 }, { intornum: 1 }, { intornum: true }, { intornum: 1.5 }, { intornum: R("2.0") },
      { nul: null }, { nul: 0 }, { nul: "" }, { arr: [] }, { arr: {} }, { obj: {} }, { obj: [] }, { obj: null },
      { bool: false }, { bool: 0 }, { bool: "true" }, { t: { any: 1 } }, { f: 1 }, { f: null }],
  },
  {
    name: "const-enum-objects",
    schema: {
      $schema: D7,
      type: "object",
      properties: {
        c: { const: { a: [1, { b: null }], c: "x" } },
        e: { enum: [{ kind: "a", n: 1 }, [1, 2], null, "s", 1.5] },
        c_arr: { const: [1, 2, 3] },
        c_null: { const: null },
        c_str: { const: "é" },
      },
    },
    instances: [
      { c: { a: [1, { b: null }], c: "x" } }, { c: { c: "x", a: [1, { b: null }] } }, { c: { a: [1, { b: null }], c: "x", d: 1 } },
      { c: R('{"a":[1.0,{"b":null}],"c":"x"}') }, { c: { a: [{ b: null }, 1], c: "x" } }, { c: { a: [1, { b: false }], c: "x" } },
      { e: { kind: "a", n: 1 } }, { e: { n: 1, kind: "a" } }, { e: R('{"kind":"a","n":1.0}') }, { e: { kind: "a" } },
      { e: [1, 2] }, { e: [2, 1] }, { e: null }, { e: "s" }, { e: R("1.50") }, { e: "S" }, { e: 0 },
      { c_arr: [1, 2, 3] }, { c_arr: R("[1.0, 2, 3e0]") }, { c_arr: [1, 2] }, { c_null: null }, { c_null: 0 }, { c_null: "null" },
      { c_str: "é" }, { c_str: "e\u0301" }, { c_str: R('"\\u00e9"') }, { c_str: R('"\\u00E9"') },
    ],
  },
  {
    name: "refs-draft7",
    schema: {
      $schema: D7,
      $id: "https://schemas.capconf.test/refs-draft7.json",
      type: "object",
      definitions: {
        tree: { type: "object", properties: { value: { type: "integer" }, children: { type: "array", items: { $ref: "#/definitions/tree" } } }, required: ["value"] },
        "a b": { type: "string" },
        "x/y": { type: "integer" },
        "t~u": { type: "boolean" },
        alias: { $ref: "#/definitions/alias2" },
        alias2: { $ref: "#/definitions/x~1y" },
        byid: { $id: "item.json", type: "object", properties: { name: { type: "string" }, self: { $ref: "#" } } },
        anchored: { $id: "#named", type: "number", maximum: 10 },
      },
      properties: {
        tree: { $ref: "#/definitions/tree" },
        space: { $ref: "#/definitions/a%20b" },
        slash: { $ref: "#/definitions/x~1y" },
        tilde: { $ref: "#/definitions/t~0u" },
        alias: { $ref: "#/definitions/alias" },
        byid: { $ref: "item.json" },
        named: { $ref: "#named" },
        absolute: { $ref: "https://schemas.capconf.test/refs-draft7.json#/definitions/x~1y" },
        root: { $ref: "#" },
      },
    },
    instances: [
      { tree: { value: 1, children: [{ value: 2 }, { value: 3, children: [{ value: "4" }, {}] }] } }, { tree: { children: [] } },
      { space: "s" }, { space: 1 }, { slash: 1 }, { slash: "s" }, { tilde: true }, { tilde: 1 }, { alias: 1 }, { alias: 1.5 },
      { byid: { name: "n" } }, { byid: { name: 1 } }, { byid: { self: { name: 2 } } }, { byid: { self: { self: { name: 3 } } } },
      { named: 5 }, { named: 11 }, { named: "x" }, { absolute: 1 }, { absolute: "x" },
      { root: { root: { slash: "x" } } }, { root: 5 },
    ],
  },

  // -------------------------------------------------------------------------------------------
  {
    name: "keywords-2019-09",
    schema: {
      $schema: D2019,
      type: "object",
      $defs: { pos: { $anchor: "pos", type: "integer", minimum: 1 } },
      properties: {
        dr: { dependentRequired: { a: ["b", "c"] } },
        ds: { dependentSchemas: { a: { required: ["z"], properties: { z: { type: "string" } } } } },
        uneval: { type: "object", properties: { a: true }, allOf: [{ properties: { b: true } }], unevaluatedProperties: false },
        tuple: { items: [{ type: "integer" }], additionalItems: false },
        cont: { contains: { const: 1 }, minContains: 2, maxContains: 3 },
        anchor: { $ref: "#pos" },
        ref_sibling: { $ref: "#/$defs/pos", maximum: 5 },
        uneval_items: { items: [true], unevaluatedItems: { type: "string" } },
      },
    },
    instances: [
      { dr: { a: 1 } }, { dr: { a: 1, b: 1, c: 1 } }, { dr: { b: 1 } }, { ds: { a: 1 } }, { ds: { a: 1, z: 2 } }, { ds: { a: 1, z: "s" } },
      { uneval: { a: 1, b: 2 } }, { uneval: { a: 1, c: 2, d: 3 } }, { tuple: [1] }, { tuple: [1, 2] }, { tuple: ["x"] },
      { cont: [1, 1] }, { cont: [1] }, { cont: [1, 1, 1, 1] }, { cont: [2, 3] }, { cont: [1, 2, 1] },
      { anchor: 1 }, { anchor: 0 }, { ref_sibling: 3 }, { ref_sibling: 6 }, { ref_sibling: 0 },
      { uneval_items: [1, "a"] }, { uneval_items: [1, 2] },
    ],
  },
  {
    name: "keywords-2020-12",
    schema: {
      $schema: D2020,
      type: "object",
      $defs: {
        pos: { $anchor: "pos", type: "integer", minimum: 1 },
        named: { type: "object", properties: { name: { type: "string" } } },
      },
      properties: {
        prefix: { prefixItems: [{ type: "string" }, { type: "integer" }], items: false },
        prefix_rest: { prefixItems: [{ const: 1 }], items: { type: "string" } },
        cont: { contains: { type: "integer" }, minContains: 2, maxContains: 3 },
        cont0: { contains: { type: "integer" }, minContains: 0 },
        cont_max: { contains: { const: "x" }, maxContains: 1 },
        dr: { dependentRequired: { a: ["b"] } },
        ds: { dependentSchemas: { a: { properties: { b: { type: "integer" } } } } },
        uneval: { properties: { a: true }, patternProperties: { "^p": true }, unevaluatedProperties: { type: "integer" } },
        uneval_ref: { $ref: "#/$defs/named", unevaluatedProperties: false },
        uneval_allof: { allOf: [{ properties: { a: true } }, { properties: { b: true } }], unevaluatedProperties: false },
        uneval_anyof: { anyOf: [{ properties: { a: { const: 1 } }, required: ["a"] }, { properties: { b: true }, required: ["b"] }], unevaluatedProperties: false },
        uneval_if: { if: { properties: { kind: { const: "x" } } }, then: { properties: { x: true } }, else: { properties: { y: true } }, properties: { kind: true }, unevaluatedProperties: false },
        uneval_addl: { properties: { a: true }, additionalProperties: { type: "string" }, unevaluatedProperties: false },
        uneval_nested: { properties: { inner: { properties: { a: true }, unevaluatedProperties: false } }, unevaluatedProperties: false },
        uneval_items: { prefixItems: [true], unevaluatedItems: false },
        uneval_items_contains: { contains: { type: "string" }, unevaluatedItems: { type: "integer" } },
        uneval_items_allof: { allOf: [{ prefixItems: [true, true] }], unevaluatedItems: false },
        anchor: { $ref: "#pos" },
        ref_sibling: { $ref: "#/$defs/pos", maximum: 5 },
        names: { propertyNames: { maxLength: 2 } },
      },
    },
    instances: [
      { prefix: ["a", 1] }, { prefix: ["a", 1, 2] }, { prefix: [1, "a"] }, { prefix: [] }, { prefix_rest: [1, "a", "b"] }, { prefix_rest: [1, 2] },
      { cont: [1, 2] }, { cont: [1] }, { cont: [1, 2, 3, 4] }, { cont: ["a", 1, "b", 2] }, { cont: [R("1.0"), R("2.0")] },
      { cont0: [] }, { cont0: ["a"] }, { cont_max: ["x", "x"] }, { cont_max: ["x"] }, { cont_max: [] },
      { dr: { a: 1 } }, { dr: { a: 1, b: 1 } }, { ds: { a: 1, b: "x" } }, { ds: { b: "x" } },
      { uneval: { a: "s", p1: "s", z: 1 } }, { uneval: { z: "s", y: "t" } },
      { uneval_ref: { name: "n" } }, { uneval_ref: { name: "n", x: 1 } },
      { uneval_allof: { a: 1, b: 2 } }, { uneval_allof: { a: 1, b: 2, c: 3 } },
      { uneval_anyof: { a: 1 } }, { uneval_anyof: { a: 1, b: 1 } }, { uneval_anyof: { a: 2, b: 1 } }, { uneval_anyof: { a: 2 } }, { uneval_anyof: { c: 1 } },
      { uneval_if: { kind: "x", x: 1 } }, { uneval_if: { kind: "x", y: 1 } }, { uneval_if: { kind: "z", y: 1 } }, { uneval_if: { kind: "z", x: 1 } },
      { uneval_addl: { a: 1, b: "s" } }, { uneval_addl: { b: 1 } },
      { uneval_nested: { inner: { a: 1, b: 2 }, c: 3 } }, { uneval_nested: { inner: { a: 1 } } },
      { uneval_items: [1] }, { uneval_items: [1, 2, 3] },
      { uneval_items_contains: ["a", 1, "b"] }, { uneval_items_contains: ["a", 1.5, true] }, { uneval_items_contains: [1, 2] },
      { uneval_items_allof: [1, 2] }, { uneval_items_allof: [1, 2, 3] },
      { anchor: 1 }, { anchor: 0 }, { ref_sibling: 3 }, { ref_sibling: 6 }, { ref_sibling: 0 },
      { names: { ab: 1 } }, { names: { abc: 1, "😀😀": 1 } },
    ],
  },
  {
    name: "default-dialect-2020-12",
    // no $schema: --default-dialect picks the dialect
    schema: {
      type: "array",
      prefixItems: [{ type: "string" }],
      items: false,
      unevaluatedItems: false,
    },
    args: ["--default-dialect", "2020-12"],
    instances: [["a"], ["a", 1], [], [1]],
  },
  {
    name: "default-dialect-draft7-no-schema",
    schema: { type: "object", properties: { a: { type: "integer", maximum: 3 } }, dependencies: { a: ["b"] } },
    instances: [{ a: 1, b: 1 }, { a: 4 }, {}],
  },

  // -------------------------------------------------------------------------------------------
  {
    name: "jsonl-edges",
    schema: { $schema: D7, type: "object", properties: { a: { type: "integer" } }, additionalProperties: false },
    instances: [
      R("nope"), R("{"), R("[1,2,]"), R("{'a':1}"), R("NaN"), R("Infinity"), R("01"), R("1 2"), R('"unterminated'),
      R('{"a":1}}'), R("  {} "), R("\t[]"), R('{"a":"x","a":1}'), R('{"a":1,"a":"x"}'), R("-"), R("\ufeff{}"),
      R("// c"), R('{"a":1} // c'), R("true"), R("null"), R('"s"'), R("[]"), R("{}\r"), R('{"a":1e400}'), R('{"b":"\\u0000"}'),
      R('{"a":-}'), R('{"a":.5}'), R('{"a":5.}'), R('{"a":+1}'), R('{"a":0x10}'), R('{"\\u0061":1}'), R('{"\\u0061":"x"}'),
    ],
  },

  // -------------------------------------------------------------------------------------------
  // Schemas ajv refuses to compile: capconf must refuse them too (both exit 2, no output lines).
  { name: "bad-schema-type", schema: { $schema: D7, type: "strnig" }, instances: [1] },
  { name: "bad-schema-pattern", schema: { $schema: D7, pattern: "(" }, instances: ["x"] },
  { name: "bad-schema-pattern-u", schema: { $schema: D7, pattern: "\\c" }, instances: ["x"] },
  { name: "bad-schema-multipleof", schema: { $schema: D7, multipleOf: 0 }, instances: [1] },
  { name: "bad-schema-minlength", schema: { $schema: D7, minLength: -1 }, instances: ["x"] },
  { name: "bad-schema-required", schema: { $schema: D7, required: "a" }, instances: [{}] },
  { name: "bad-schema-missing-ref", schema: { $schema: D7, properties: { a: { $ref: "#/definitions/nope" } } }, instances: [{}] },
  { name: "bad-schema-2020-items-array", schema: { $schema: D2020, items: [{ type: "string" }] }, instances: [["x"]] },
  { name: "bad-schema-draft4", schema: { $schema: "http://json-schema.org/draft-04/schema#", type: "string" }, instances: ["x"] },
  { name: "bad-schema-not-object", schema: 5, instances: [1] },
  // `\a` is BEL to PCRE2 but an invalid identity escape in a JavaScript unicode-mode regex
  { name: "bad-schema-pattern-js-identity-escape", schema: { $schema: D7, pattern: "\\a" }, instances: ["a"] },

  // Boolean schemas at the root
  { name: "root-true", schema: true, instances: [1, null, {}, "x"] },
  { name: "root-false", schema: false, instances: [1, null, {}, "x"] },
];
