// Text from users and repositories in our markdown: a code span nothing can close, and plain text
// whose markup, HTML and @mentions do not take effect.
import { expect, it } from 'vitest';
import { codeSpan, userText } from '../../src/render/fit.js';

it('makes a code span longer than any run of backticks inside, padded when the text starts or ends with one', () => {
  expect(codeSpan('hook/onInit/change-approval')).toBe('`hook/onInit/change-approval`');
  expect(codeSpan('a`b')).toBe('``a`b``');
  expect(codeSpan('a``b`')).toBe('``` a``b` ```');
  expect(codeSpan('`x')).toBe('`` `x ``');
  expect(codeSpan('two\nlines')).toBe('`two lines`');
});

it('shows user text on one line with markup escaped, HTML inert and mentions that notify nobody', () => {
  expect(userText('not during the freeze')).toBe('not during the freeze');
  expect(userText('see ![img](x) _a_ *b* ~c~ <b>d</b> & @alice\nnext')).toBe('see \\!\\[img\\]\\(x\\) \\_a\\_ \\*b\\* \\~c\\~ &lt;b&gt;d&lt;/b&gt; &amp; @&#8203;alice next');
  expect(userText('x'.repeat(600))).toBe(`${'x'.repeat(500)}… \\(100 more characters\\)`);
});
