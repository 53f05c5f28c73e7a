// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.28;

/// @notice The two ERC-20 calls the registry makes.
interface IStakingToken {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/// @title ServiceNodeRegistry for the local devnet
/// @notice Service nodes register here with their keys and address and stake tokens, alone or
/// with up to `MAX_CONTRIBUTORS - 1` other contributors. A node is active once its stake reaches
/// `stakingRequirement`. Any contributor may ask to leave; after `unlockDelay` seconds anyone may
/// complete the exit, which returns every contributor's stake.
/// @dev The events carry everything a node needs to rebuild the registry from the logs; the
/// operator's own stake is reported in `NodeRegistered` only (`NodeContribution` is emitted by
/// `contribute`). The Ed25519 signature passed to `register` is stored in the event but NOT
/// verified here: nodes and clients verify it off chain and ignore entries that fail.
contract ServiceNodeRegistry {
    /// @notice The most distinct contributors (operator included) one node may have.
    uint8 public constant MAX_CONTRIBUTORS = 10;

    /// @notice A registered node. Exited nodes keep their record, with `exited` set.
    struct Node {
        uint64 id;
        address operator;
        bytes32 ed25519;
        bytes32 x25519;
        uint32 ipv4;
        uint16 httpPort;
        uint16 grpcPort;
        uint256 totalStaked;
        uint64 registeredBlock;
        bool active;
        bool exitRequested;
        uint64 unlockTime;
        bool exited;
    }

    /// @notice The staking token.
    address public immutable token;
    /// @notice Tokens (base units) a node needs to become active.
    uint256 public immutable stakingRequirement;
    /// @notice Seconds between an exit request and the earliest exit.
    uint64 public immutable unlockDelay;

    /// @notice The id of the live node registered with an Ed25519 key, 0 when none.
    mapping(bytes32 ed25519 => uint64) public idByEd25519;

    uint64 private _lastId;
    mapping(uint64 id => Node) private _nodes;
    mapping(uint64 id => address[]) private _contributors;
    mapping(uint64 id => mapping(address contributor => uint256)) private _stakes;
    uint64[] private _liveIds;
    mapping(uint64 id => uint256) private _liveIndexPlusOne;

    event NodeRegistered(
        uint64 indexed id,
        address indexed operator,
        bytes32 ed25519,
        bytes32 x25519,
        uint32 ipv4,
        uint16 httpPort,
        uint16 grpcPort,
        bytes signature,
        uint256 operatorStake
    );
    event NodeContribution(
        uint64 indexed id, address indexed contributor, uint256 amount, uint256 totalStaked
    );
    event NodeActivated(uint64 indexed id);
    event NodeExitRequested(uint64 indexed id, address indexed requester, uint64 unlockTime);
    event NodeExited(uint64 indexed id, uint256 returnedAmount);

    /// @notice The constructor's token was the zero address.
    error ZeroTokenAddress();
    /// @notice The constructor's staking requirement was zero.
    error ZeroStakingRequirement();
    /// @notice An Ed25519 or X25519 key was all zeros.
    error ZeroKey();
    /// @notice The Ed25519 signature was not 64 bytes long.
    error InvalidSignatureLength(uint256 length);
    /// @notice A live node is already registered with this Ed25519 key.
    error DuplicateKey(bytes32 ed25519);
    /// @notice The operator must stake at least a quarter of the requirement.
    error OperatorStakeTooLow(uint256 given, uint256 minimum);
    /// @notice The stake would exceed what the node still needs.
    error StakeTooHigh(uint256 given, uint256 remaining);
    /// @notice A contribution of zero.
    error ZeroAmount();
    /// @notice No such node, or it has exited.
    error NodeNotFound(uint64 id);
    /// @notice The node is already fully staked.
    error NodeAlreadyActive(uint64 id);
    /// @notice Accepting this contribution would need more than `MAX_CONTRIBUTORS` contributors
    /// for the node ever to be complete: a new contributor taking the last free slot must stake
    /// exactly the remainder.
    error TooManyContributors();
    /// @notice The caller has no stake in the node.
    error NotContributor(uint64 id, address caller);
    /// @notice An exit was already requested (also rejects contributions to a leaving node).
    error ExitAlreadyRequested(uint64 id);
    /// @notice `exit` before `requestExit`.
    error ExitNotRequested(uint64 id);
    /// @notice `exit` before the unlock time.
    error StillLocked(uint64 unlockTime);
    /// @notice The token returned false from a transfer.
    error TokenTransferFailed();

    /// @param token_ The staking token (an ERC-20 that returns true or reverts).
    /// @param stakingRequirement_ Base units a node needs to become active.
    /// @param unlockDelay_ Seconds from an exit request to the earliest exit.
    constructor(address token_, uint256 stakingRequirement_, uint64 unlockDelay_) {
        if (token_ == address(0)) revert ZeroTokenAddress();
        if (stakingRequirement_ == 0) revert ZeroStakingRequirement();
        token = token_;
        stakingRequirement = stakingRequirement_;
        unlockDelay = unlockDelay_;
    }

    /// @notice Registers a node operated by the caller, pulling `operatorStake` from the caller
    /// (approve this contract first). Ids start at 1 and are never reused.
    /// @param signature The node's Ed25519 signature (64 bytes), checked off chain only.
    /// @param operatorStake At least a quarter of the requirement and at most all of it.
    function register(
        bytes32 ed25519,
        bytes32 x25519,
        uint32 ipv4,
        uint16 httpPort,
        uint16 grpcPort,
        bytes calldata signature,
        uint256 operatorStake
    ) external returns (uint64 id) {
        if (ed25519 == bytes32(0) || x25519 == bytes32(0)) revert ZeroKey();
        if (signature.length != 64) revert InvalidSignatureLength(signature.length);
        if (idByEd25519[ed25519] != 0) revert DuplicateKey(ed25519);
        uint256 minimum = operatorMinimum();
        if (operatorStake < minimum) revert OperatorStakeTooLow(operatorStake, minimum);
        if (operatorStake > stakingRequirement) {
            revert StakeTooHigh(operatorStake, stakingRequirement);
        }

        id = ++_lastId;
        bool complete = operatorStake == stakingRequirement;
        _nodes[id] = Node({
            id: id,
            operator: msg.sender,
            ed25519: ed25519,
            x25519: x25519,
            ipv4: ipv4,
            httpPort: httpPort,
            grpcPort: grpcPort,
            totalStaked: operatorStake,
            registeredBlock: uint64(block.number),
            active: complete,
            exitRequested: false,
            unlockTime: 0,
            exited: false
        });
        _contributors[id].push(msg.sender);
        _stakes[id][msg.sender] = operatorStake;
        idByEd25519[ed25519] = id;
        _liveIds.push(id);
        _liveIndexPlusOne[id] = _liveIds.length;

        emit NodeRegistered(
            id, msg.sender, ed25519, x25519, ipv4, httpPort, grpcPort, signature, operatorStake
        );
        if (complete) emit NodeActivated(id);

        _pull(msg.sender, operatorStake);
    }

    /// @notice Adds `amount` to the caller's stake in a node that is still filling up, pulling
    /// it from the caller. The node becomes active when its stake reaches the requirement.
    function contribute(uint64 id, uint256 amount) external {
        Node storage node = _liveNode(id);
        if (node.active) revert NodeAlreadyActive(id);
        if (node.exitRequested) revert ExitAlreadyRequested(id);
        if (amount == 0) revert ZeroAmount();
        uint256 remaining = stakingRequirement - node.totalStaked;
        if (amount > remaining) revert StakeTooHigh(amount, remaining);

        uint256 previous = _stakes[id][msg.sender];
        if (previous == 0) {
            // The last free slot must complete the node, so a node is never stuck needing an
            // eleventh contributor (and a full contributor list implies an active node).
            if (_contributors[id].length >= MAX_CONTRIBUTORS - 1 && amount != remaining) {
                revert TooManyContributors();
            }
            _contributors[id].push(msg.sender);
        }
        _stakes[id][msg.sender] = previous + amount;
        uint256 total = node.totalStaked + amount;
        node.totalStaked = total;
        bool complete = total == stakingRequirement;
        if (complete) node.active = true;

        emit NodeContribution(id, msg.sender, amount, total);
        if (complete) emit NodeActivated(id);

        _pull(msg.sender, amount);
    }

    /// @notice Starts the unlock period of a node; any of its contributors may call this, whether
    /// the node is active or still filling up.
    function requestExit(uint64 id) external {
        Node storage node = _liveNode(id);
        if (_stakes[id][msg.sender] == 0) revert NotContributor(id, msg.sender);
        if (node.exitRequested) revert ExitAlreadyRequested(id);
        uint64 unlockTime = uint64(block.timestamp) + unlockDelay;
        node.exitRequested = true;
        node.unlockTime = unlockTime;
        emit NodeExitRequested(id, msg.sender, unlockTime);
    }

    /// @notice Removes a node whose unlock time has come and returns every contributor's stake.
    /// Anyone may call it. The node's Ed25519 key may then be registered again.
    function exit(uint64 id) external {
        Node storage node = _liveNode(id);
        if (!node.exitRequested) revert ExitNotRequested(id);
        if (block.timestamp < node.unlockTime) revert StillLocked(node.unlockTime);

        uint256 returned = node.totalStaked;
        node.exited = true;
        node.active = false;
        delete idByEd25519[node.ed25519];
        _removeLive(id);
        emit NodeExited(id, returned);

        address[] storage contributors = _contributors[id];
        uint256 count = contributors.length;
        for (uint256 i = 0; i < count; ++i) {
            address contributor = contributors[i];
            if (!IStakingToken(token).transfer(contributor, _stakes[id][contributor])) {
                revert TokenTransferFailed();
            }
        }
    }

    /// @notice The smallest stake an operator may register with (a quarter of the requirement).
    function operatorMinimum() public view returns (uint256) {
        uint256 minimum = stakingRequirement / 4;
        return minimum == 0 ? 1 : minimum;
    }

    /// @notice The number of live (registered, not exited) nodes, active or not.
    function nodeCount() external view returns (uint256) {
        return _liveIds.length;
    }

    /// @notice The ids of the live nodes. Registration order, except that an exit moves the last
    /// id into the exited id's place; sort them if you need a canonical order.
    function nodeIds() external view returns (uint64[] memory) {
        return _liveIds;
    }

    /// @notice A node's record, including exited nodes (reverts `NodeNotFound` for ids never
    /// assigned).
    function getNode(uint64 id) external view returns (Node memory) {
        return _knownNode(id);
    }

    /// @notice The contributors of a node (the operator first) and their stakes; kept as they
    /// were after the node exits.
    function getContributors(uint64 id)
        external
        view
        returns (address[] memory contributors, uint256[] memory amounts)
    {
        _knownNode(id);
        contributors = _contributors[id];
        amounts = new uint256[](contributors.length);
        for (uint256 i = 0; i < contributors.length; ++i) {
            amounts[i] = _stakes[id][contributors[i]];
        }
    }

    function _knownNode(uint64 id) private view returns (Node storage node) {
        node = _nodes[id];
        if (node.id == 0) revert NodeNotFound(id);
    }

    function _liveNode(uint64 id) private view returns (Node storage node) {
        node = _nodes[id];
        if (node.id == 0 || node.exited) revert NodeNotFound(id);
    }

    function _removeLive(uint64 id) private {
        uint256 index = _liveIndexPlusOne[id] - 1;
        uint256 last = _liveIds.length - 1;
        if (index != last) {
            uint64 moved = _liveIds[last];
            _liveIds[index] = moved;
            _liveIndexPlusOne[moved] = index + 1;
        }
        _liveIds.pop();
        delete _liveIndexPlusOne[id];
    }

    function _pull(address from, uint256 amount) private {
        if (!IStakingToken(token).transferFrom(from, address(this), amount)) {
            revert TokenTransferFailed();
        }
    }
}
