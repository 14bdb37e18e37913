#!/usr/bin/env bash
# Pass-through benchmark (issue 2): wrk against yxgate (in front of the
# emulator) and against the emulator directly, same request, one run.
#   YXGATE_WITH_BENCH=1 ./scripts/install-deps.sh && ./loadtest/passthrough.sh
source "$(dirname "$0")/lib.sh"
build_release
start_emulator
start_yxgate gw ""
sign_headers
path='/im/v2/chatrooms/12/messages?sender_id=yx2&limit=3'

echo "wrk -t1 -c$connections -d${duration}s, GET chatroom page (pass-through, never cached)"
table_header
run_wrk "emulator direct" "http://127.0.0.1:$emu_port$path" "$emu_pid" \
  -H "AppKey: $sig_appkey" -H "Nonce: $sig_nonce" -H "CurTime: $sig_curtime" -H "CheckSum: $sig_checksum"
run_wrk "yxgate -> emulator (1 thread)" "http://127.0.0.1:$gw_port$path" "$gw_pid"
