// The values of a member's form, and how they come from a member and go to the API.
import type { Member } from "../api";

export type MemberValues = {
  organisation: string;
  displayName: string;
  role: string;
  domains: string[];
  email: string;
  phone: string;
};

export function emptyMember(): MemberValues {
  return { organisation: "", displayName: "", role: "", domains: [], email: "", phone: "" };
}

export function valuesOf(m: Member): MemberValues {
  return {
    organisation: m.organisation ?? "",
    displayName: m.displayName ?? "",
    role: m.role ?? "",
    domains: [...(m.domains ?? [])],
    email: m.email ?? "",
    phone: m.phone ?? "",
  };
}

export function bodyOf(v: MemberValues): Member {
  return { ...v, domains: v.domains as Member["domains"] } as Member;
}
