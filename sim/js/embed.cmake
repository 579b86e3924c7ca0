# embed.cmake - host.js as a C array (sim_js_host_source), so that the
# tabsim binary needs no file beside it to start a JavaScript tab.
#   cmake -DIN=sim/js/host.js -DOUT=host_js.c -P sim/js/embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "/* Generated from sim/js/host.js by sim/js/embed.cmake: do not edit. */\nconst char sim_js_host_source[] = {${bytes} 0};\n")
