// Severities, exit codes, de-duplication and both report formats.
#include <gtest/gtest.h>

#include <sstream>

#include "audit/audit_report.h"
#include "audit/report_json.h"
#include "audit/report_text.h"

namespace sockwarden::audit {
namespace {

Finding make(Severity s, const std::string& check, const std::string& cid = "", const std::string& sock = "") {
  Finding f;
  f.severity = s;
  f.check = check;
  f.title = check + " title";
  f.container_id = cid;
  f.container_name = cid.empty() ? "" : "web";
  f.socket_path = sock;
  f.evidence = {"e1"};
  f.remediation = "fix it";
  return f;
}

TEST(AuditFinding, ExitCodes) {
  EXPECT_EQ(audit_exit_code({}), 0);
  EXPECT_EQ(audit_exit_code({make(Severity::Info, "a"), make(Severity::Low, "b")}), 0);
  EXPECT_EQ(audit_exit_code({make(Severity::Medium, "a")}), 1);
  EXPECT_EQ(audit_exit_code({make(Severity::High, "a"), make(Severity::Low, "b")}), 1);
  EXPECT_EQ(audit_exit_code({make(Severity::High, "a"), make(Severity::Critical, "b")}), 2);
  EXPECT_STREQ(severity_name(Severity::Critical), "critical");
  EXPECT_STREQ(severity_name(Severity::Info), "info");
}

TEST(AuditFinding, FinalizeSortsAndKeepsFirstSocketMountPerContainer) {
  std::vector<Finding> fs{make(Severity::Low, "x"), make(Severity::Critical, "socket-mounted", "c1", "/s"),
                          make(Severity::Critical, "socket-mounted", "c1", "/s"),
                          make(Severity::Critical, "socket-mounted", "c2", "/s"), make(Severity::High, "y")};
  fs[1].title = "live";
  fs[2].evidence = {"e1", "bind /s -> /x"};
  finalize_findings(fs);
  ASSERT_EQ(fs.size(), 4u);
  EXPECT_EQ(fs[0].title, "live");
  EXPECT_EQ(fs[0].evidence, (std::vector<std::string>{"e1", "bind /s -> /x"}));  // merged, no duplicates
  EXPECT_EQ(fs[1].container_id, "c2");
  EXPECT_EQ(fs[2].check, "y");
  EXPECT_EQ(fs[3].check, "x");
}

AuditReport sample() {
  AuditReport r;
  r.hostname = "h";
  r.time = "2026-11-23T00:00:00Z";
  RuntimeSocket s;
  s.path = "/var/run/docker.sock";
  s.realpath = "/run/docker.sock";
  s.ino = 99;
  s.mode = 0660;
  s.group = "docker";
  s.gid = 999;
  s.group_members = {"alice"};
  r.sockets.push_back(s);
  LiveConnection c;
  c.socket_path = s.path;
  c.client_ino = 5;
  c.server_ino = 6;
  ProcessRef p;
  p.pid = 4242;
  p.comm = "docker";
  p.cmdline = "docker\nevents";
  c.clients.push_back(p);
  r.live.connections.push_back(c);
  ContainerPosture cp;
  cp.runtime = "docker";
  cp.id = std::string(64, 'a');
  cp.name = "web";
  cp.config.privileged = true;
  r.containers.push_back(cp);
  r.findings = {make(Severity::Critical, "socket-mounted", std::string(64, 'a'), s.path), make(Severity::Info, "i")};
  return r;
}

TEST(AuditReportJson, Shape) {
  auto j = report_json(sample());
  EXPECT_EQ(j["audit"]["exit_code"], 2);
  EXPECT_EQ(j["audit"]["counts"]["critical"], 1);
  EXPECT_EQ(j["audit"]["counts"]["info"], 1);
  EXPECT_EQ(j["findings"][0]["severity"], "critical");
  EXPECT_EQ(j["findings"][0]["container"]["name"], "web");
  EXPECT_EQ(j["findings"][0]["socket"], "/var/run/docker.sock");
  EXPECT_TRUE(j["findings"][1]["container"].is_null());
  EXPECT_EQ(j["sockets"][0]["mode"], "0660");
  EXPECT_EQ(j["sockets"][0]["group"]["members"][0], "alice");
  EXPECT_EQ(j["connections"][0]["processes"][0]["pid"], 4242);
  EXPECT_EQ(j["containers"][0]["privileged"], true);
  for (const char* k : {"tcp", "mounts", "warnings"}) EXPECT_TRUE(j[k].is_array()) << k;
}

TEST(AuditReportText, FindingsFirstWithEvidenceAndFix) {
  std::ostringstream out;
  report_text(out, sample());
  std::string t = out.str();
  EXPECT_NE(t.find("result: 1 critical, 0 high, 0 medium, 0 low, 1 info -> exit 2"), std::string::npos) << t;
  auto crit = t.find("[CRITICAL]");
  auto sockets = t.find("== Runtime sockets ==");
  ASSERT_NE(crit, std::string::npos);
  EXPECT_LT(crit, sockets);
  EXPECT_NE(t.find("evidence: e1"), std::string::npos);
  EXPECT_NE(t.find("fix:      fix it"), std::string::npos);
  EXPECT_NE(t.find("group members: alice"), std::string::npos);
  EXPECT_NE(t.find("pid 4242 docker"), std::string::npos);
  EXPECT_NE(t.find("docker events"), std::string::npos);  // control characters flattened
  EXPECT_NE(t.find("PRIVILEGED"), std::string::npos);
}

}  // namespace
}  // namespace sockwarden::audit
