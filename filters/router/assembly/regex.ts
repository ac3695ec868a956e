// Regular expressions for route matching, run as a Pike VM (Thompson NFA): time linear in the input, no catastrophic backtracking.
//
// Syntax (RE2-like subset): literals, `.`, classes `[a-z_]` / `[^/]` with `\d \w \s` inside or out
// (and `\D \W \S` outside), groups `( )` and `(?: )`, alternation `|`, quantifiers `* + ? {n} {n,} {n,m}`
// (a trailing `?` for laziness is accepted and means nothing for a yes/no match), anchors `^ $`.
// A pattern must match the whole text, as Envoy's `safe_regex` does.

enum Op {
  Char = 0,
  Any = 1,
  Class = 2,
  Split = 3,
  Jump = 4,
  Match = 5,
  LineStart = 6,
  LineEnd = 7,
}

enum NodeKind {
  Empty = 0,
  Char = 1,
  Any = 2,
  Class = 3,
  LineStart = 4,
  LineEnd = 5,
  Concat = 6,
  Alternate = 7,
  Repeat = 8,
}

class Node {
  children: Node[] = [];
  value: i32 = 0;
  min: i32 = 0;
  /** -1: unbounded. */
  max: i32 = 0;
  constructor(public readonly kind: NodeKind) {}
}

/** Inclusive code-unit ranges, possibly negated. */
class CharClass {
  ranges: i32[] = [];
  negated: bool = false;

  add(low: i32, high: i32): void {
    this.ranges.push(low);
    this.ranges.push(high);
  }

  has(code: i32): bool {
    let inside = false;
    for (let i = 0; i < this.ranges.length && !inside; i += 2) inside = code >= this.ranges[i] && code <= this.ranges[i + 1];
    return inside != this.negated;
  }
}

// Counted repetition copies its operand, so a program is capped to keep `a{1000}{1000}` from eating memory.
const maxProgramSize = 8192;
const maxRepeat = 1000;

function addShorthand(charClass: CharClass, letter: i32): bool {
  const lower = letter | 0x20;
  if (lower == 0x64) charClass.add(0x30, 0x39);
  else if (lower == 0x77) {
    charClass.add(0x30, 0x39); charClass.add(0x41, 0x5a); charClass.add(0x61, 0x7a); charClass.add(0x5f, 0x5f);
  } else if (lower == 0x73) {
    charClass.add(0x20, 0x20); charClass.add(0x09, 0x0d);
  } else return false;
  return true;
}

function isDigit(code: i32): bool {
  return code >= 0x30 && code <= 0x39;
}

class Parser {
  position: i32 = 0;
  error: string = "";
  classes: CharClass[] = [];

  constructor(public readonly pattern: string) {}

  private peek(): i32 {
    return this.position < this.pattern.length ? this.pattern.charCodeAt(this.position) : -1;
  }

  private fail(message: string): Node {
    if (this.error.length == 0) this.error = message + " at offset " + this.position.toString();
    return new Node(NodeKind.Empty);
  }

  parse(): Node {
    const node = this.parseAlternation(0);
    if (this.error.length == 0 && this.position < this.pattern.length) return this.fail("unbalanced )");
    return node;
  }

  private parseAlternation(depth: i32): Node {
    if (depth > 100) return this.fail("nesting too deep");
    const first = this.parseConcat(depth);
    if (this.peek() != 0x7c) return first;
    const alternate = new Node(NodeKind.Alternate);
    alternate.children.push(first);
    while (this.peek() == 0x7c && this.error.length == 0) {
      this.position++;
      alternate.children.push(this.parseConcat(depth));
    }
    return alternate;
  }

  private parseConcat(depth: i32): Node {
    const concat = new Node(NodeKind.Concat);
    while (this.error.length == 0) {
      const code = this.peek();
      if (code == -1 || code == 0x7c || code == 0x29) break;
      concat.children.push(this.parseRepeat(depth));
    }
    return concat;
  }

  private parseRepeat(depth: i32): Node {
    let node = this.parseAtom(depth);
    while (this.error.length == 0) {
      const code = this.peek();
      let min = 0;
      let max = 0;
      if (code == 0x2a) { min = 0; max = -1; this.position++; }
      else if (code == 0x2b) { min = 1; max = -1; this.position++; }
      else if (code == 0x3f) { min = 0; max = 1; this.position++; }
      else if (code == 0x7b && this.position + 1 < this.pattern.length && isDigit(this.pattern.charCodeAt(this.position + 1))) {
        this.position++;
        min = this.parseCount();
        max = min;
        if (this.peek() == 0x2c) {
          this.position++;
          max = this.peek() == 0x7d ? -1 : this.parseCount();
        }
        if (this.peek() != 0x7d) return this.fail("unclosed {");
        this.position++;
        if (min > maxRepeat || max > maxRepeat || (max != -1 && max < min)) return this.fail("bad repetition count");
      } else break;
      if (this.peek() == 0x3f) this.position++;
      if (node.kind == NodeKind.LineStart || node.kind == NodeKind.LineEnd) return this.fail("nothing to repeat");
      const repeat = new Node(NodeKind.Repeat);
      repeat.children.push(node);
      repeat.min = min;
      repeat.max = max;
      node = repeat;
    }
    return node;
  }

  private parseCount(): i32 {
    let value = 0;
    while (isDigit(this.peek()) && value <= maxRepeat) {
      value = value * 10 + this.peek() - 0x30;
      this.position++;
    }
    return value;
  }

  private parseAtom(depth: i32): Node {
    const code = this.peek();
    this.position++;
    if (code == 0x28) {
      if (this.pattern.substr(this.position, 2) == "?:") this.position += 2;
      else if (this.peek() == 0x3f) return this.fail("unsupported group syntax");
      const inner = this.parseAlternation(depth + 1);
      if (this.peek() != 0x29) return this.fail("missing )");
      this.position++;
      return inner;
    }
    if (code == 0x5b) return this.parseClass();
    if (code == 0x2e) return new Node(NodeKind.Any);
    if (code == 0x5e) return new Node(NodeKind.LineStart);
    if (code == 0x24) return new Node(NodeKind.LineEnd);
    if (code == 0x2a || code == 0x2b || code == 0x3f) return this.fail("nothing to repeat");
    if (code == 0x5c) {
      const escaped = this.peek();
      if (escaped == -1) return this.fail("trailing backslash");
      this.position++;
      const shorthand = new CharClass();
      if (addShorthand(shorthand, escaped)) {
        shorthand.negated = escaped < 0x61;
        return this.classNode(shorthand);
      }
      if ((escaped | 0x20) >= 0x61 && (escaped | 0x20) <= 0x7a) return this.fail("unsupported escape \\" + String.fromCharCode(escaped));
      return this.charNode(escaped);
    }
    return this.charNode(code);
  }

  private parseClass(): Node {
    const charClass = new CharClass();
    if (this.peek() == 0x5e) {
      charClass.negated = true;
      this.position++;
    }
    let first = true;
    while (this.error.length == 0) {
      let code = this.peek();
      if (code == -1) return this.fail("unclosed [");
      if (code == 0x5d && !first) break;
      first = false;
      this.position++;
      if (code == 0x5c) {
        code = this.peek();
        if (code == -1) return this.fail("unclosed [");
        this.position++;
        if (addShorthand(charClass, code)) {
          if (code < 0x61) return this.fail("negated shorthand inside []");
          continue;
        }
      }
      if (this.peek() == 0x2d && this.position + 1 < this.pattern.length && this.pattern.charCodeAt(this.position + 1) != 0x5d) {
        this.position++;
        let high = this.peek();
        this.position++;
        if (high == 0x5c) {
          high = this.peek();
          this.position++;
        }
        if (high < code) return this.fail("bad class range");
        charClass.add(code, high);
      } else {
        charClass.add(code, code);
      }
    }
    this.position++;
    return this.classNode(charClass);
  }

  private classNode(charClass: CharClass): Node {
    const node = new Node(NodeKind.Class);
    node.value = this.classes.length;
    this.classes.push(charClass);
    return node;
  }

  private charNode(code: i32): Node {
    const node = new Node(NodeKind.Char);
    node.value = code;
    return node;
  }
}

/** A compiled pattern. Build one with `compileRegex` at configure time, then call `fullMatch` per request. */
export class Regex {
  /** Instructions as triples: op, x, y. */
  program: i32[] = [];
  classes: CharClass[] = [];
  /** Why the pattern did not compile; "" when it did. */
  error: string = "";

  private emit(op: Op, x: i32 = 0, y: i32 = 0): i32 {
    const at = this.program.length / 3;
    this.program.push(op);
    this.program.push(x);
    this.program.push(y);
    return at;
  }

  private patch(at: i32, slot: i32, target: i32): void {
    this.program[at * 3 + slot] = target;
  }

  private get next(): i32 {
    return this.program.length / 3;
  }

  /** Compiles a parsed pattern, then the final Match. */
  build(tree: Node): void {
    this.compile(tree);
    this.emit(Op.Match);
  }

  private compile(node: Node): void {
    if (this.program.length > maxProgramSize * 3) {
      if (this.error.length == 0) this.error = "pattern too large";
      return;
    }
    switch (node.kind) {
      case NodeKind.Char: this.emit(Op.Char, node.value); break;
      case NodeKind.Any: this.emit(Op.Any); break;
      case NodeKind.Class: this.emit(Op.Class, node.value); break;
      case NodeKind.LineStart: this.emit(Op.LineStart); break;
      case NodeKind.LineEnd: this.emit(Op.LineEnd); break;
      case NodeKind.Concat:
        for (let i = 0; i < node.children.length; i++) this.compile(node.children[i]);
        break;
      case NodeKind.Alternate: {
        const jumps = new Array<i32>();
        for (let i = 0; i < node.children.length - 1; i++) {
          const split = this.emit(Op.Split, this.next + 1, 0);
          this.compile(node.children[i]);
          jumps.push(this.emit(Op.Jump));
          this.patch(split, 2, this.next);
        }
        this.compile(node.children[node.children.length - 1]);
        for (let i = 0; i < jumps.length; i++) this.patch(jumps[i], 1, this.next);
        break;
      }
      case NodeKind.Repeat: {
        const child = node.children[0];
        for (let i = 0; i < node.min; i++) this.compile(child);
        if (node.max == -1) {
          const split = this.emit(Op.Split, this.next + 1, 0);
          this.compile(child);
          this.emit(Op.Jump, split);
          this.patch(split, 2, this.next);
        } else {
          const splits = new Array<i32>();
          for (let i = node.min; i < node.max; i++) {
            splits.push(this.emit(Op.Split, this.next + 1, 0));
            this.compile(child);
          }
          for (let i = 0; i < splits.length; i++) this.patch(splits[i], 2, this.next);
        }
        break;
      }
      default: break;
    }
  }

  /** Whether the pattern matches all of `text`. */
  fullMatch(text: string): bool {
    const size = this.next;
    let current = new Array<i32>();
    let following = new Array<i32>();
    // The step at which each instruction was last queued: a thread is added to a list at most once per step.
    const seen = new Array<i32>(size).fill(-1);
    const stack = new Array<i32>();
    this.addThread(current, seen, stack, 0, 0, text);
    for (let position = 0; position <= text.length; position++) {
      if (current.length == 0) return false;
      const code = position < text.length ? <i32>text.charCodeAt(position) : -1;
      for (let i = 0; i < current.length; i++) {
        const pc = current[i];
        const op = this.program[pc * 3];
        if (op == Op.Match) {
          if (position == text.length) return true;
          continue;
        }
        if (code == -1) continue;
        let advances = false;
        if (op == Op.Char) advances = code == this.program[pc * 3 + 1];
        else if (op == Op.Any) advances = code != 0x0a;
        else if (op == Op.Class) advances = this.classes[this.program[pc * 3 + 1]].has(code);
        if (advances) this.addThread(following, seen, stack, pc + 1, position + 1, text);
      }
      const swap = current;
      current = following;
      following = swap;
      following.length = 0;
    }
    return false;
  }

  /** Queues `pc` and every instruction reachable from it without consuming input. */
  private addThread(list: i32[], seen: i32[], stack: i32[], pc: i32, position: i32, text: string): void {
    stack.push(pc);
    while (stack.length > 0) {
      const at = stack.pop();
      if (seen[at] == position) continue;
      seen[at] = position;
      const op = this.program[at * 3];
      if (op == Op.Jump) stack.push(this.program[at * 3 + 1]);
      else if (op == Op.Split) {
        stack.push(this.program[at * 3 + 2]);
        stack.push(this.program[at * 3 + 1]);
      } else if (op == Op.LineStart) {
        if (position == 0) stack.push(at + 1);
      } else if (op == Op.LineEnd) {
        if (position == text.length) stack.push(at + 1);
      } else list.push(at);
    }
  }
}

/** Compiles `pattern`; check `error` before use. */
export function compileRegex(pattern: string): Regex {
  const parser = new Parser(pattern);
  const tree = parser.parse();
  const regex = new Regex();
  regex.classes = parser.classes;
  if (parser.error.length > 0) {
    regex.error = parser.error;
    return regex;
  }
  regex.build(tree);
  return regex;
}
