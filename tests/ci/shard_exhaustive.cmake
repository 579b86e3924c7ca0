# shard_exhaustive.cmake - the differential test of exhaustive sharding:
# the shards of a search, merged, find exactly what one search finds.
#
# cmake -DTABSIM=path -DWORK=dir -DNS=2|5 -DFILES=a.ini|b.ini [-DEXTRA=--stateful] -P shard_exhaustive.cmake
#
# For each scenario file (exhaustive, small enough) and each shard count N:
# check it unsharded, check it as N shards (--json each), merge them, and
# compare: the exit code, the judgement of every invariant (the
# "invariants" line: held, violated, n/a) and the verdict must be the same;
# when the search verifies, the shards' executions must add up exactly to
# one search's (work items split the tree; none is explored twice).  With a
# violation the counts may differ: each shard stops when every claimed
# invariant is violated in its own part.  EXTRA (--stateful) is passed to
# every check: then each shard keeps a visited set of its own, a state two
# shards reach is explored by both, and the executions are not compared.
cmake_minimum_required(VERSION 3.25)
file(MAKE_DIRECTORY "${WORK}")
string(REPLACE "|" ";" files "${FILES}")
string(REPLACE "|" ";" counts "${NS}")
set(compared 0)
foreach(file IN LISTS files)
  get_filename_component(name "${file}" NAME_WE)
  execute_process(COMMAND "${TABSIM}" check "${file}" ${EXTRA} --no-timing --no-shrink RESULT_VARIABLE rc_full
                  OUTPUT_VARIABLE full ERROR_VARIABLE err)
  string(REGEX MATCH "\ninvariants  [^\n]*" full_inv "\n${full}")
  string(REGEX MATCH "\nverdict     [a-z]+" full_verdict "\n${full}")
  string(REGEX MATCH "\nexplored    [0-9]+ runs" full_runs "\n${full}")
  if(full_inv STREQUAL "" OR full_verdict STREQUAL "")
    message(FATAL_ERROR "${file}: no verdict to compare\n${full}\n${err}")
  endif()
  foreach(n IN LISTS counts)
    set(reports "")
    math(EXPR last "${n} - 1")
    foreach(k RANGE ${last})
      set(report "${WORK}/${name}-${k}of${n}.json")
      execute_process(COMMAND "${TABSIM}" check "${file}" ${EXTRA} --no-timing --no-shrink --shard ${k}/${n} --json "${report}"
                      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
      if(NOT rc MATCHES "^[01]$")
        message(FATAL_ERROR "${file} shard ${k}/${n} exited ${rc}\n${out}\n${err}")
      endif()
      list(APPEND reports "${report}")
    endforeach()
    execute_process(COMMAND "${TABSIM}" merge ${reports} --no-timing RESULT_VARIABLE rc_merged
                    OUTPUT_VARIABLE merged ERROR_VARIABLE err)
    file(WRITE "${WORK}/${name}-full.txt" "${full}")
    file(WRITE "${WORK}/${name}-merged${n}.txt" "${merged}")
    string(REGEX MATCH "\ninvariants  [^\n]*" merged_inv "\n${merged}")
    string(REGEX MATCH "\nverdict     [a-z]+" merged_verdict "\n${merged}")
    string(REGEX MATCH "\nexplored    [0-9]+ runs" merged_runs "\n${merged}")
    if(NOT rc_merged EQUAL rc_full OR NOT merged_inv STREQUAL full_inv OR NOT merged_verdict STREQUAL full_verdict)
      message(FATAL_ERROR "${file}: ${n} shards merged differ from one search (exit ${rc_merged} vs ${rc_full}); "
                          "compare ${WORK}/${name}-full.txt and ${WORK}/${name}-merged${n}.txt\n${err}")
    endif()
    if(full_verdict MATCHES "verified" AND NOT EXTRA AND NOT merged_runs STREQUAL full_runs)
      message(FATAL_ERROR "${file}: ${n} shards made${merged_runs}, one search${full_runs}")
    endif()
    math(EXPR compared "${compared} + 1")
  endforeach()
endforeach()
message(STATUS "${compared} sharded searches agree with one search")
