import { parseConnection } from "../../../../provider/core/connection";
import { sqlOp } from "../../../../provider/dm/plan/common";

const login = { name: "MP", connection: parseConnection({ host: "10.0.0.11" }), ip: "10.0.0.11", portNum: 5237 };

test("a failed catalog step says what both of disql's failures mean and to run up again", () => {
  const op = sqlOp(login, "Secret_123", ["SP_CREATE_DPC_RAFT('BP', 'RAFT_1');"], "not registered");
  expect(op.hint).toMatch(/exit status 3 means DM refused a statement/);
  expect(op.hint).toMatch(/another status means disql could not connect or log in to MP \(10\.0\.0\.11:5237\)/);
  expect(op.hint).toMatch(/run `pulumi up` again/);
  expect(op.hint).not.toContain("Secret_123");
  expect(sqlOp(login, "Secret_123", ["X;"], "r", "[-8430] means rows").hint).toMatch(/again: it goes on from what is there\. \[-8430\] means rows$/);
});
