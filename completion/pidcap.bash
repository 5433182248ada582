# bash completion for pidcap                                   -*- shell-script -*-
_pidcap()
{
	local cur prev words cword i
	_init_completion || return

	# After "--" everything belongs to the command being run.
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			_command_offset $((i + 1))
			return
		fi
	done

	if [[ ${words[1]} == top ]]; then
		case $prev in
		--pid) _pids; return ;;
		--comm) _pnames; return ;;
		--uid) _allowed_users; return ;;
		-o | --sort)
			COMPREPLY=($(compgen -W 'bytes packets syscalls connections cpu memory pid
				name' -- "$cur"))
			return
			;;
		-d | -n) return ;;
		esac
		COMPREPLY=($(compgen -W '-d -b -n -o --sort --json --pid --comm --uid --cgroup -f
			--follow-forks --debug --help' -- "$cur"))
		return
	fi
	if [[ $cword -eq 1 && $cur != -* ]]; then
		COMPREPLY=($(compgen -W 'top host src dst net port portrange tcp udp icmp icmp6 ip ip6
			not proto greater less' -- "$cur"))
		return
	fi

	case $prev in
	-w | -r)
		_filedir
		return
		;;
	--format)
		COMPREPLY=($(compgen -W 'pktap darwin' -- "$cur"))
		return
		;;
	-Q)
		COMPREPLY=($(compgen -W 'in out inout' -- "$cur"))
		return
		;;
	--events)
		COMPREPLY=($(compgen -W 'exec exit fork tcp all none exec,exit,fork,tcp' -- "$cur"))
		return
		;;
	-i)
		_available_interfaces -a
		return
		;;
	--pid)
		_pids
		return
		;;
	--comm)
		_pnames
		return
		;;
	--uid | --run-as | -Z)
		_allowed_users
		return
		;;
	--cgroup)
		_filedir -d
		return
		;;
	-c | -s | -B | -C | -W | -G | --args-size)
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-w -r --format -c -s -B -C -W -G -U -Z --pid --comm -f
			--follow-forks --uid --cgroup -i -Q --run-as -v -e -q -x -X -A -t -tt -ttt -tttt
			-ttttt -l -n -S --json --events --no-packets --failed-execs --args-size --tls --tls=data --debug -h --help --version
			--' -- "$cur"))
		return
	fi
	# Otherwise: words of a filter expression.
	COMPREPLY=($(compgen -W 'host src dst net port portrange tcp udp icmp icmp6 ip ip6 and or
		not proto greater less' -- "$cur"))
} &&
	complete -F _pidcap pidcap
