import type { SandboxDepartment, SandboxMember } from './types.js';
import { Rejection } from './wecom-reply.js';

/** The corp the sandbox pretends to be, unless the options say otherwise. */
export const DEFAULT_DEPARTMENTS: SandboxDepartment[] = [
  { id: 1, name: 'Sandbox Corp', parentid: 0 },
  { id: 2, name: 'Sales', parentid: 1 },
  { id: 3, name: 'Support', parentid: 1 },
];

export const DEFAULT_MEMBERS: SandboxMember[] = [
  { userid: 'zhangsan', name: '张三', departments: [1, 2], active: true },
  { userid: 'lisi', name: '李四', departments: [2], active: true },
  { userid: 'wangwu', name: '王五', departments: [3], active: true },
  { userid: 'zhaoliu', name: '赵六', departments: [3], active: false },
  { userid: 'sunqi', name: '孙七', departments: [3], active: true, customerContact: false },
];

/** The corp directory (通讯录): who may be put on a contact way, and who a department stands for. */
export class Directory {
  private readonly members: Map<string, SandboxMember>;
  private readonly departments: Map<number, SandboxDepartment>;

  constructor(
    members: SandboxMember[] = DEFAULT_MEMBERS,
    departments: SandboxDepartment[] = DEFAULT_DEPARTMENTS,
  ) {
    this.members = new Map(members.map((m) => [m.userid, m]));
    this.departments = new Map(departments.map((d) => [d.id, d]));
  }

  member(userid: string): SandboxMember | undefined {
    return this.members.get(userid);
  }

  /** Every member, in the order they were given (user/list_id). */
  all(): SandboxMember[] {
    return [...this.members.values()];
  }

  /**
   * Checks members and departments the way WeCom does for a contact way and returns everyone it reaches
   * (see `expand`). Only listed users must be active; a department may hold inactive members.
   */
  reach(users: readonly string[], parties: readonly number[]): Set<string> {
    for (const userid of users) {
      const member = this.members.get(userid);
      if (!member) throw new Rejection(60111, `userid ${userid} not found`);
      if (member.active === false) throw new Rejection(41054, `userid ${userid} not active`);
      if (member.customerContact === false)
        throw new Rejection(84074, `userid ${userid} has no customer contact permission`);
    }
    for (const id of parties) {
      // An unknown department is indistinguishable from one outside the app's visible range: 60011.
      if (!this.departments.has(id)) throw new Rejection(60011, `department ${id} not found`);
    }
    return this.expand(users, parties);
  }

  /**
   * Listed users plus the members of listed departments and their sub-departments: WeCom's cap of 100 counts
   * people after this expansion.
   */
  expand(users: readonly string[], parties: readonly number[]): Set<string> {
    const reached = new Set(users);
    const covered = this.withDescendants(parties);
    for (const member of this.members.values()) {
      if (member.departments.some((d) => covered.has(d))) reached.add(member.userid);
    }
    return reached;
  }

  private withDescendants(roots: readonly number[]): Set<number> {
    const covered = new Set(roots);
    let grew = covered.size > 0;
    while (grew) {
      grew = false;
      for (const d of this.departments.values()) {
        if (!covered.has(d.id) && covered.has(d.parentid)) {
          covered.add(d.id);
          grew = true;
        }
      }
    }
    return covered;
  }
}
