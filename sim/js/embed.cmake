# embed.cmake - the script node runs for a JavaScript tab, as a C array
# (sim_js_host_source), so that the tabsim binary needs no file beside it.
# The script is the files of IN (separated by |: realm.js, modules.js,
# host.js), concatenated in that order under one 'use strict' (host.js,
# "Parts").
#   cmake "-DIN=sim/js/realm.js|sim/js/modules.js|sim/js/host.js" -DOUT=host_js.c -P sim/js/embed.cmake
string(REPLACE "|" ";" parts "${IN}")
set(text "'use strict';\n")
foreach(part IN LISTS parts)
  file(READ "${part}" part_text)
  string(APPEND text "${part_text}")
endforeach()
file(WRITE "${OUT}.txt" "${text}")
file(READ "${OUT}.txt" hex HEX)
file(REMOVE "${OUT}.txt")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "/* Generated from sim/js/realm.js, modules.js and host.js by sim/js/embed.cmake: do not edit. */\nconst char sim_js_host_source[] = {${bytes} 0};\n")
