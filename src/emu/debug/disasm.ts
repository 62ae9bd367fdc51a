// Disassembly through iced-x86 (the project's disassembly oracle). The module is
// passed in: Node imports 'iced-x86' directly, the worker loads it lazily
// (src/worker/iced.ts). Branch targets and each line's address get `symbol+off`.
import type * as Iced from 'iced-x86';
import { hexAddr, toAddr } from './world';

export type IcedModule = typeof Iced;

export interface DisasmLine {
  address: number;
  /** 0x-hex address. */
  addr: string;
  /** The instruction's bytes as hex ("0f 01 d8"). */
  bytes: string;
  /** Intel syntax, with `<symbol+off>` after a direct branch target that has one. */
  text: string;
  length: number;
  /** The symbol containing this address, `name+0xoff`. */
  symbol?: string;
  /** iced could not decode the bytes (or they ran out). */
  invalid: boolean;
}

/**
 * Disassemble up to `count` instructions from `bytes` loaded at `address`,
 * in 16-, 32- or 64-bit code. `symbolize` names addresses.
 */
export function disassemble(iced: IcedModule, bytes: Uint8Array, address: number, bitness: number, count: number,
  symbolize: (a: number) => string | undefined = () => undefined): DisasmLine[] {
  const out: DisasmLine[] = [];
  const decoder = new iced.Decoder(bitness, bytes, iced.DecoderOptions.AMD);
  const ip0 = BigInt.asUintN(64, BigInt(address));
  decoder.ip = ip0;
  const fmt = new iced.Formatter(iced.FormatterSyntax.Intel);
  fmt.firstOperandCharIndex = 8;
  fmt.branchLeadingZeros = false;
  fmt.hexPrefix = '0x';
  fmt.hexSuffix = '';
  fmt.spaceAfterOperandSeparator = true;
  try {
    let off = 0;
    while (out.length < count && decoder.canDecode) {
      const insn = decoder.decode();
      const len = insn.length;
      const a = bitness === 64 ? address + off : (address + off) >>> 0;
      const invalid = insn.isInvalid || insn.code === iced.Code.INVALID;
      let text = invalid ? '(bad)' : fmt.format(insn);
      if (!invalid && (insn.isCallNear || insn.isJmpShortOrNear || insn.isJccShortOrNear || insn.isLoop || insn.isLoopcc || insn.isJcxShort)) {
        const t = toAddr(insn.nearBranchTarget);
        const name = symbolize(bitness === 64 ? t : t >>> 0);
        if (name) text += ` <${name}>`;
      }
      const sym = symbolize(a);
      out.push({
        address: a, addr: hexAddr(a),
        bytes: [...bytes.subarray(off, off + len)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
        text, length: len, invalid, ...(sym ? { symbol: sym } : {}),
      });
      insn.free();
      off += Math.max(1, len);
    }
  } finally {
    decoder.free();
    fmt.free();
  }
  return out;
}
