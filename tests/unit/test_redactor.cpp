#include <gtest/gtest.h>

#include "classify/redactor.h"

using namespace sockwarden;

TEST(Redactor, RegistryAuthAndAuthorizationHeaders) {
  std::string req =
      "POST /v1.41/images/create?fromImage=x HTTP/1.1\r\n"
      "Host: docker\r\n"
      "X-Registry-Auth: eyJ1c2VybmFtZSI6ImJvYiIsInBhc3N3b3JkIjoiaHVudGVyMiJ9\r\n"
      "authorization:  Bearer abc.def\r\n"
      "X-Registry-Config : e30=\r\n"
      "Cookie: session=42\r\n"
      "User-Agent: Docker-Client/20.10\r\n\r\n";
  auto r = redact_payload(req);
  EXPECT_TRUE(r.redacted);
  EXPECT_EQ(r.payload,
            "POST /v1.41/images/create?fromImage=x HTTP/1.1\r\n"
            "Host: docker\r\n"
            "X-Registry-Auth: [REDACTED]\r\n"
            "authorization:  [REDACTED]\r\n"
            "X-Registry-Config : [REDACTED]\r\n"
            "Cookie: [REDACTED]\r\n"
            "User-Agent: Docker-Client/20.10\r\n\r\n");
  EXPECT_EQ(r.payload.find("hunter2"), std::string::npos);
}

TEST(Redactor, HeaderCutByCaptureCapIsRedactedToTheEnd) {
  auto r = redact_payload("GET / HTTP/1.1\r\nX-Registry-Auth: eyJwYXNz");
  EXPECT_TRUE(r.redacted);
  EXPECT_EQ(r.payload, "GET / HTTP/1.1\r\nX-Registry-Auth: [REDACTED]");
}

TEST(Redactor, EnvValuesInCreateBodyKeepNames) {
  std::string body =
      R"({"Image":"alpine","Env":["PASSWORD=hunter2","TOKEN=a\"b=c", "PATH=/usr/bin", "NOVALUE"],"Cmd":["sh"]})";
  auto r = redact_payload(body);
  EXPECT_TRUE(r.redacted);
  EXPECT_EQ(r.payload,
            R"({"Image":"alpine","Env":["PASSWORD=[REDACTED]","TOKEN=[REDACTED]", "PATH=[REDACTED]", "[REDACTED]"],"Cmd":["sh"]})");
}

TEST(Redactor, EnvArrayCutByCaptureCap) {
  auto r = redact_payload(R"({"Env": ["SECRET=abcdef)");
  EXPECT_TRUE(r.redacted);
  EXPECT_EQ(r.payload, R"({"Env": ["SECRET=[REDACTED])");
}

TEST(Redactor, ExecCreateEnv) {
  auto r = redact_payload(R"({"AttachStdout":true,"Env" : [ "A=1" ],"Cmd":["id"]})");
  EXPECT_EQ(r.payload, R"({"AttachStdout":true,"Env" : [ "A=[REDACTED]" ],"Cmd":["id"]})");
}

TEST(Redactor, BinaryProtobufEnvEntries) {
  std::string pb = std::string("\x0a\x10", 2) + "DB_PASSWORD=s3cr" + std::string("\x12\x05", 2) + "HOME=" +
                   std::string("\x00", 1);
  auto r = redact_payload(pb);
  EXPECT_TRUE(r.redacted);
  EXPECT_EQ(r.payload.find("s3cr"), std::string::npos);
  EXPECT_NE(r.payload.find("DB_PASSWORD=[REDACTED]"), std::string::npos);
  EXPECT_NE(r.payload.find("HOME="), std::string::npos);  // empty value: nothing to hide
}

TEST(Redactor, HarmlessRequestUntouched) {
  std::string req = "GET /v1.41/containers/json?all=1&filters=x HTTP/1.1\r\nHost: docker\r\n\r\n";
  auto r = redact_payload(req);
  EXPECT_FALSE(r.redacted);
  EXPECT_EQ(r.payload, req);
  EXPECT_FALSE(redact_payload("").redacted);
}

TEST(Redactor, IdempotentOnRedactedText) {
  auto once = redact_payload("Authorization: Basic Ym9iOmh1bnRlcjI=\r\n");
  auto twice = redact_payload(once.payload);
  EXPECT_EQ(once.payload, twice.payload);
  EXPECT_FALSE(twice.redacted);
}
