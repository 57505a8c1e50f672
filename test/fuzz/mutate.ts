/** Text mutations shared by the targets: what a typo, a paste gone wrong or a hostile input does to a value. */
import fc from 'fast-check';

const ODD = [
  '',
  ',',
  ',,',
  '=',
  'help',
  '?',
  'frob=1',
  '-1',
  '0',
  '1e400',
  '18446744073709551616',
  '9223372036854775807',
  '4096T',
  '0x10M',
  '1.5G',
  'on',
  'off',
  'auto',
  '\u0000',
  '\u00e9',
  '\u{1F600}',
  '\t',
  '\n',
  "'",
  '"',
  'null',
  '[]',
  '{}',
  '/dev/null',
  '../../etc/passwd',
];

/** A mutation of `text`: kept, cut, extended, a number swapped, a character inserted or a piece replaced. */
export const mutated = (text: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(text) },
    { weight: 1, arbitrary: fc.nat(text.length).map((i) => text.slice(0, i)) },
    { weight: 2, arbitrary: fc.tuple(fc.nat(text.length), fc.constantFrom(...ODD)).map(([i, odd]) => text.slice(0, i) + odd + text.slice(i)) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD, '1', '512M', '2G', '16G', '4k', '-2M').map((n) => text.replace(/\d+[A-Za-z]?/, n)) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat(text.length), fc.nat(8), fc.string({ maxLength: 6 })).map(([i, n, s]) => text.slice(0, i) + s + text.slice(i + n)),
    },
    { weight: 1, arbitrary: fc.constantFrom(...ODD) },
  );
