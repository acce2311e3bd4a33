// Keys filed by URL path, to find every key whose path may overlap a given one without looking at
// all of them: with thousands of routed Agents, comparing each claim with every other one on every
// Agent event made route claims quadratic.
//
// A path overlaps another when one is the other or a segment-wise prefix of it (route-claims.ts),
// so the candidates for a path are the keys on its own node, on every ancestor, and anywhere below
// it. Paths are split on '/' after trailing slashes are dropped, which makes "/a/" and "/a" the same
// node: candidates are a superset of the overlapping keys, and callers confirm each one.

interface Node {
  keys: Set<string>;
  children: Map<string, Node>;
}

const newNode = (): Node => ({ keys: new Set(), children: new Map() });

function segments(path: string): string[] {
  return path.replace(/\/+$/, '').split('/');
}

export class PathTrie {
  private readonly root = newNode();

  add(path: string, key: string): void {
    let node = this.root;
    for (const segment of segments(path)) {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = newNode()));
      node = child;
    }
    node.keys.add(key);
  }

  remove(path: string, key: string): void {
    const trail: [Node, string][] = [];
    let node: Node | undefined = this.root;
    for (const segment of segments(path)) {
      const child: Node | undefined = node.children.get(segment);
      if (!child) return;
      trail.push([node, segment]);
      node = child;
    }
    node.keys.delete(key);
    // Prune nodes left empty, so paths that come and go do not pile up.
    for (const [parent, segment] of trail.reverse()) {
      const child = parent.children.get(segment);
      if (!child || child.keys.size > 0 || child.children.size > 0) break;
      parent.children.delete(segment);
    }
  }

  /** Keys filed on `path`, on any prefix of it, or on any path it is a prefix of. */
  candidates(path: string): Set<string> {
    const found = new Set<string>();
    let node: Node | undefined = this.root;
    for (const k of node.keys) found.add(k);
    for (const segment of segments(path)) {
      node = node.children.get(segment);
      if (!node) return found;
      for (const k of node.keys) found.add(k);
    }
    const below = [...node.children.values()];
    for (let next = below.pop(); next; next = below.pop()) {
      for (const k of next.keys) found.add(k);
      below.push(...next.children.values());
    }
    return found;
  }
}
