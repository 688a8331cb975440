/**
 * A school's groups for the pages that list them: a teacher's own groups, the registration
 * groups, a group's lessons and its pupils on roll. The pages authorise what they show with these
 * (services/authz.ts); the queries are db/registers/registers.ts and db/pupils/pupils.ts.
 */
export { findGroup, groupsOfStaff, lessonsOf, listGroups, type Group } from '../../db/registers/registers.js';
export { groupMembersOnRoll } from '../../db/pupils/pupils.js';
