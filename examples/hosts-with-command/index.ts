/**
 * Seed 7.1 on hosts that have nothing but sshd and a DM tarball: `@pulumi/command` prepares each
 * host (the OS user, the directories, DM unpacked), then the cluster is built on them. The same
 * connection object serves both packages (`Connection` is `command`'s `remote.ConnectionArgs`).
 *
 * Needs the real `pulumi` CLI: `command.remote.Command` runs in the command provider's plugin
 * binary, which the lab's engine cannot install.
 */
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { dm, sh, type Connection } from "pulumi-dbcluster";
import { hosts, placeOn, sysdbaPassword } from "../shared/hosts";
import { SEED_71, seed71Groups } from "../shared/seed-71";

const config = new pulumi.Config();
/** Where the DM tarball already lies on every host (e.g. copied by your image build). */
const tarball = config.require("dmTarball");
/** The OS user DM runs as; the cluster's connections log in as this user. @default dmdba */
const dmUser = config.get("dmUser") ?? "dmdba";
/** The user that prepares the hosts: it must be able to add users and chown. @default root */
const adminUser = config.get("adminUser") ?? "root";
const dmHome = config.get("dmHome") ?? "/opt/dmdbms";

const all = hosts();

/** Per host: one Command for the user and directories, one for DM, each idempotent. */
const ready = all.map((h) => {
  const admin: Connection = { ...h.connection, user: adminUser };
  const owner = `${dmUser}:${dmUser}`;
  const user = new command.remote.Command(`${h.name}-user`, {
    connection: admin,
    create: sh`id -u ${dmUser} >/dev/null 2>&1 || useradd -m -s /bin/bash ${dmUser}` +
      sh` && install -d -o ${dmUser} -g ${dmUser} -m 0750 ${h.dataRoot} ${dmHome}`,
    // Deleting the stack keeps the user and its data: nothing to undo here.
  });
  const unpacked = new command.remote.Command(`${h.name}-dm`, {
    connection: admin,
    // Unpacks once; a tarball without DM's tools fails here, not in the first dminit.
    create: sh`test -x ${`${dmHome}/bin/dmserver`} || { tar -xzf ${tarball} -C ${dmHome} --strip-components=1 && chown -R ${owner} ${dmHome}; }` +
      sh` && test -x ${`${dmHome}/bin/dminit`} && test -x ${`${dmHome}/bin/disql`}`,
    triggers: [tarball, dmHome],
  }, { dependsOn: [user] });
  return { host: h, unpacked };
});

/**
 * The cluster waits for its host through its inputs: each instance's connection is an output of
 * that host's last Command. (`dependsOn` on the `DpcCluster` component would not hold back the
 * resources it creates inside.)
 */
const cluster = new dm.DpcCluster("dpc", {
  sysdbaPassword: sysdbaPassword(),
  instances: SEED_71.instances.map((l, i) => {
    const { host: h, unpacked } = ready[all.indexOf(placeOn(all, i))];
    const connection = unpacked.stdout.apply(() => ({ ...h.connection, user: dmUser }));
    return { ...l, connection, ip: h.ip, path: `${h.dataRoot}/dpc/${l.name.toLowerCase()}`, dmHome, mpPort: l.mode === "MP" ? 9000 : undefined };
  }),
  ...seed71Groups(),
});

export const spEndpoints = cluster.spEndpoints;
export const leaders = cluster.leaders;
