# fuzz/options.cmake - the TABSIM_FUZZ option, included by the top-level
# CMakeLists.txt before any target so that the whole tree (core/, sim/ and
# the harnesses) is built with libFuzzer's coverage instrumentation and with
# ASan + UBSan.  Configure with clang:
#   CC=clang cmake -S . -B build-fuzz -DTABSIM_FUZZ=ON -DTABSIM_TESTS=OFF
option(TABSIM_FUZZ "Build the libFuzzer harnesses in fuzz/ (needs clang and its fuzzer runtime)" OFF)
if(TABSIM_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TABSIM_FUZZ needs clang (libFuzzer): configure a fresh build directory with CC=clang")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -g)
  add_link_options(-fsanitize=address,undefined)
endif()
