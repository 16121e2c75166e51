import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';

const t = defineMessages({
  ended: {
    zh: '输入已结束，尚未回答：{question}',
    en: 'the input ended before an answer to: {question}',
  },
  keep: { zh: '回车保留', en: 'Enter keeps it' },
});

/**
 * Questions on a terminal, one line each, the current value offered in brackets (Enter keeps it).
 * A secret is read with the terminal's echo off: readline writes nothing while it is asked.
 */
export class Prompter {
  private readonly lines: Interface;
  private muted = false;

  constructor(
    input: NodeJS.ReadableStream = process.stdin,
    private readonly output: NodeJS.WritableStream = process.stdout,
  ) {
    const echo = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (!this.muted) this.output.write(chunk);
        done();
      },
    });
    this.lines = createInterface({ input, output: echo, terminal: true });
  }

  /** The answer, or `current` for an empty one; `shown` is what the brackets show of it (a URL with its password masked). */
  async ask(question: string, current?: string, shown = current): Promise<string> {
    const offered = current === undefined || current === '' ? '' : ` [${shown}]`;
    const answer = (await this.read(`${question}${offered}: `, question)).trim();
    return answer === '' ? (current ?? '') : answer;
  }

  /** A secret without echo; empty keeps the current one when there is one (`hasCurrent`). */
  async askSecret(question: string, hasCurrent: boolean): Promise<string | undefined> {
    this.output.write(`${question}${hasCurrent ? ` (${t('keep')})` : ''}: `);
    this.muted = true;
    try {
      const answer = await this.read('', question);
      return answer === '' ? undefined : answer;
    } finally {
      this.muted = false;
      this.output.write('\n');
    }
  }

  say(line: string): void {
    this.output.write(`${line}\n`);
  }

  close(): void {
    this.lines.close();
  }

  private read(prompt: string, question: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const ended = (): void => reject(new AgentError(ErrorCode.UsageError, t('ended', { question })));
      this.lines.once('close', ended);
      this.lines.question(prompt, (answer) => {
        this.lines.off('close', ended);
        resolve(answer);
      });
    });
  }
}
